"""Edit conflicts, three-way: the version an editor started from, the one saved since, theirs."""

from __future__ import annotations

from cluster.extensions import db
from cluster.services import conflicts, organisations, revisions

RECORD = {
    "name": "Thread & Needle",
    "kind": "manufacturer",
    "residency": "resident",
    "summary": "Small-batch sewing for young brands.",
    "city": "Ivanovo",
    "tags": "sewing",
}


def saved(org, **changes):
    """Save changed fields over the organisation as another editor would; return its snapshot."""
    values, errors = organisations.parse({**RECORD, **changes}, org)
    assert errors == []
    organisations.update(org, values, None, org.version)
    db.session.commit()
    return revisions.snapshot(org)


def typed(org, **changes) -> dict:
    """What a form opened at version 1 sends back with these fields changed, parsed."""
    values, errors = organisations.parse({**RECORD, **changes}, org)
    assert errors == []
    return values


def test_only_fields_both_sides_changed_differently_are_conflicts(app):
    with app.app_context():
        values, _ = organisations.parse(RECORD)
        org = organisations.create(values, None)
        db.session.commit()
        saved(org, summary="Summary by the first editor.", tags="sewing\nknitwear")

        mine = typed(
            org, summary="Summary by the second editor.", city="Shuya", tags="sewing\nknitwear"
        )
        comparison = conflicts.compare(org, mine, expected_version=1)

    assert comparison.base_known
    assert [item["name"] for item in comparison.conflicts] == ["summary"]
    (summary,) = comparison.conflicts
    assert summary["base"] == "Small-batch sewing for young brands."
    assert summary["stored"] == "Summary by the first editor."
    assert summary["typed"] == "Summary by the second editor."
    # Changed by this editor only: kept as typed. Changed the same way by both: no question.
    assert comparison.mine == ["city"]
    assert comparison.theirs == []


def test_a_field_only_the_other_editor_changed_is_kept_as_saved(app):
    with app.app_context():
        values, _ = organisations.parse(RECORD)
        org = organisations.create(values, None)
        db.session.commit()
        saved(org, summary="Summary by the first editor.")

        comparison = conflicts.compare(org, typed(org, city="Shuya"), expected_version=1)

    assert comparison.conflicts == []
    assert comparison.theirs == ["summary"]
    assert comparison.mine == ["city"]


def test_without_the_starting_version_every_difference_is_a_conflict(app):
    with app.app_context():
        values, _ = organisations.parse(RECORD)
        org = organisations.create(values, None)
        db.session.commit()
        saved(org, summary="Summary by the first editor.")

        comparison = conflicts.compare(org, typed(org, city="Shuya"), expected_version=None)

    assert not comparison.base_known
    assert [item["name"] for item in comparison.conflicts] == ["summary", "city"]
    assert all(item["base"] is None for item in comparison.conflicts)
    assert comparison.mine == comparison.theirs == []

"""Revisions and the audit log: what each save records, and restoring an earlier version."""

from __future__ import annotations

import sqlalchemy as sa

from cluster import fields
from cluster.extensions import db
from cluster.models import AuditEntry, Organisation, Revision
from cluster.services import audit, organisations, revisions


def create(name="Pixel Loom", **raw):
    values, errors = organisations.parse({"name": name, "kind": "startup", **raw})
    assert not errors, errors
    org = organisations.create(values, None)
    db.session.commit()
    return org


def update(org, **raw):
    values, errors = organisations.parse({"name": org.name, "kind": org.kind, **raw}, org)
    assert not errors, errors
    revision = organisations.update(org, values, None, org.version)
    db.session.commit()
    return revision


def test_snapshot_is_plain_json_of_every_editable_field(app):
    with app.app_context():
        org = create(sectors="textile; design", programmes="Pattern cutting | beginner")
        snap = revisions.snapshot(org)
        assert set(snap) == set(fields.COLUMNS)
        assert snap["sectors"] == ["textile", "design"]
        assert snap["programmes"] == [
            {"name": "Pattern cutting", "level": "beginner", "format": "", "duration": ""}
        ]
        # A snapshot is a copy: changing the organisation afterwards leaves it alone.
        org.tags.append("later")
        assert "later" not in snap["tags"]


def test_each_save_records_only_the_changed_fields(app):
    with app.app_context():
        org = create(summary="Virtual fitting.")
        first = db.session.scalar(sa.select(Revision))
        assert first.action == "create" and first.version == 1
        assert first.changes["name"] == [None, "Pixel Loom"]
        assert "description" not in first.changes  # empty fields are not listed

        revision = update(org, summary="Virtual fitting rooms.", stage="mvp")
        assert revision.version == 2 == org.version
        assert revision.changes == {
            "summary": ["Virtual fitting.", "Virtual fitting rooms."],
            "stage": [None, "mvp"],
        }
        assert revision.snapshot["summary"] == "Virtual fitting rooms."
        assert [e.action for e in db.session.scalars(sa.select(AuditEntry))] == ["create", "edit"]


def test_changing_only_the_sectors_raises_the_version(app):
    with app.app_context():
        org = create(sectors="textile")
        revision = update(org, sectors="textile; fashiontech")
        assert org.version == 2
        assert revision.changes == {"sectors": [["textile"], ["textile", "fashiontech"]]}


def test_restoring_a_revision_is_itself_a_new_revision(app):
    with app.app_context():
        org = create(summary="First.", sectors="textile")
        update(org, summary="Second.", sectors="design", city="Ivanovo")
        update(org, summary="Third.")
        first = revisions.history(org)[-1]
        assert first.version == 1

        restored = organisations.restore_revision(org, first, None)
        db.session.commit()
        assert (org.summary, org.city, [s.slug for s in org.sectors]) == ("First.", "", ["textile"])
        assert restored.action == "restore" and restored.version == 4 == org.version
        assert restored.changes["summary"] == ["Third.", "First."]
        assert [r.action for r in revisions.history(org)] == ["restore", "edit", "edit", "create"]


def test_restore_keeps_the_slug_when_another_listing_took_it(app):
    with app.app_context():
        org = create("Pixel Loom")
        update(org, slug="pixel-loom-studio")
        create("Pixel Loom")  # now owns "pixel-loom"
        organisations.restore_revision(org, revisions.history(org)[-1], None)
        db.session.commit()
        assert org.slug == "pixel-loom-studio"


def test_restore_through_the_history_page(app, client, staff):
    staff.login()
    with app.app_context():
        org = create(summary="Original summary.")
        update(org, summary="Changed summary.")
        first_id = revisions.history(org)[-1].id
    page = client.get("/en/staff/organisations/pixel-loom/history").get_data(as_text=True)
    assert "Original summary." in page and "Changed summary." in page
    assert f"/revisions/{first_id}/restore" in page
    response = staff.post(f"/en/staff/organisations/pixel-loom/revisions/{first_id}/restore")
    assert response.status_code == 302
    with app.app_context():
        org = db.session.scalar(sa.select(Organisation))
        assert org.summary == "Original summary." and org.version == 3
        latest = revisions.history(org)[0]
        assert latest.action == "restore" and latest.user.email == "editor@example.org"
    page = client.get("/en/staff/organisations/pixel-loom/history").get_data(as_text=True)
    assert "Restored version 1" in page


def test_a_revision_of_another_organisation_cannot_be_restored_here(app, staff):
    staff.login()
    with app.app_context():
        create("Pixel Loom")
        other = create("Other Studio")
        other_revision = revisions.history(other)[0].id
    response = staff.post(f"/en/staff/organisations/pixel-loom/revisions/{other_revision}/restore")
    assert response.status_code == 404


def test_audit_log_lists_logins_and_changes_for_admins(app, client, staff):
    staff.login(role="admin", email="admin@example.org")
    staff.post("/en/staff/organisations/new", {"name": "Audit Me", "kind": "company"})
    staff.post("/en/staff/organisations/audit-me/publish")
    page = client.get("/en/staff/audit").get_data(as_text=True)
    # Each action shows as its label, the stored code kept beside it.
    for action, label in (
        ("login", "Logged in"),
        ("create", "Listing created"),
        ("publish", "Listing published"),
    ):
        assert f'<td data-action="{action}">{label}</td>' in page
    assert "admin@example.org" in page and "organisation:audit-me" in page


def test_audit_log_without_a_request_has_no_address(app):
    with app.app_context():
        entry = audit.log("import", "3 created", "demo.csv")
        db.session.commit()
        assert (entry.ip, entry.user_id, entry.target) == ("", None, "3 created")

"""Editing organisations in the staff area: forms, lifecycle, bad input, XSS, stale saves."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from cluster import fields
from cluster.extensions import db
from cluster.forms import OrganisationForm, SubmissionForm, form_data
from cluster.models import AuditEntry, Organisation, Revision
from cluster.services import organisations
from tests.helpers import StaffSession

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"


def new_organisation(**fields) -> dict:
    data = {
        "name": "Thread & Needle",
        "kind": "manufacturer",
        "residency": "resident",
        "status": "draft",
        "summary": "Small-batch sewing for young brands.",
        "sectors": ["textile", "apparel-manufacturing"],
        "capabilities": "small-batch sewing\npattern cutting",
        "equipment": "12 industrial sewing machines; cutting table",
        "city": "Ivanovo",
        "email": "hello@thread.example",
        "website": "https://thread.example",
    }
    data.update(fields)
    return data


def load(app, slug) -> Organisation | None:
    with app.app_context():
        org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
        if org is not None:
            _ = list(org.sectors)  # loaded before leaving the session
            db.session.expunge(org)
        return org


def edit_form(app, slug) -> dict:
    """What the edit page's form sends back unchanged."""
    with app.app_context():
        return form_data(organisations.find(slug))


def revision_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Revision.action).order_by(Revision.id)))


@pytest.fixture
def editor(staff):
    staff.login(role="editor")
    return staff


def test_form_fields_are_named_like_the_import_columns():
    # Every column can be edited by staff; the public form leaves out what staff decide.
    assert OrganisationForm.columns() == fields.COLUMNS
    assert set(fields.COLUMNS) - set(SubmissionForm.columns()) == {
        "status",
        "slug",
        "offers",
        "needs_capabilities",
    }


def test_create_shows_kind_fieldsets_and_stores_every_field(app, client, editor):
    page = client.get("/en/staff/organisations/new").get_data(as_text=True)
    for kind in ("startup", "manufacturer", "education"):
        assert f'data-kind="{kind}"' in page
    assert 'name="version"' in page and 'name="sectors"' in page and 'name="looking_for"' in page

    response = editor.post(
        "/en/staff/organisations/new",
        new_organisation(looking_for=["customers", "suppliers"], min_order="50 pieces"),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/staff/organisations/thread-needle/edit"
    org = load(app, "thread-needle")
    assert org.status == "draft" and org.version == 1
    assert [s.slug for s in org.sectors] == ["textile", "apparel-manufacturing"]
    assert org.capabilities == ["small-batch sewing", "pattern cutting"]
    assert org.equipment == ["12 industrial sewing machines", "cutting table"]
    assert org.looking_for == ["customers", "suppliers"]
    assert revision_actions(app) == ["create"]
    page = client.get("/en/staff/organisations/thread-needle/edit").get_data(as_text=True)
    assert "small-batch sewing\npattern cutting</textarea>" in page
    assert 'name="version" type="hidden" value="1"' in page


def test_create_derives_a_free_slug_and_refuses_a_taken_one(app, editor):
    editor.post("/en/staff/organisations/new", new_organisation())
    # The second is a likely duplicate of the first: saved once confirmed.
    editor.post("/en/staff/organisations/new", new_organisation(confirm_duplicate="y"))
    assert load(app, "thread-needle-2") is not None
    response = editor.post("/en/staff/organisations/new", new_organisation(slug="thread-needle"))
    assert response.status_code == 422
    assert "already used" in response.get_data(as_text=True)


def test_edit_saves_and_writes_a_revision_with_old_and_new_values(app, client, editor):
    editor.post("/en/staff/organisations/new", new_organisation())
    data = edit_form(app, "thread-needle")
    data.update(summary="Sewing from 50 pieces.", sectors=["textile"])
    response = editor.post("/en/staff/organisations/thread-needle/edit", data)
    assert response.status_code == 302
    org = load(app, "thread-needle")
    assert org.summary == "Sewing from 50 pieces." and org.version == 2
    assert [s.slug for s in org.sectors] == ["textile"]
    with app.app_context():
        revision = db.session.scalars(sa.select(Revision).order_by(Revision.id.desc())).first()
        assert revision.action == "edit" and revision.version == 2
        assert revision.changes == {
            "summary": ["Small-batch sewing for young brands.", "Sewing from 50 pieces."],
            "sectors": [["textile", "apparel-manufacturing"], ["textile"]],
        }
    history = client.get("/en/staff/organisations/thread-needle/history").get_data(as_text=True)
    assert "Small-batch sewing for young brands." in history and "Sewing from 50 pieces." in history


def test_saving_the_unchanged_form_writes_no_revision(app, editor):
    editor.post("/en/staff/organisations/new", new_organisation())
    response = editor.post(
        "/en/staff/organisations/thread-needle/edit", edit_form(app, "thread-needle")
    )
    assert response.status_code == 302
    assert load(app, "thread-needle").version == 1
    assert revision_actions(app) == ["create"]


def test_publish_archive_restore_and_the_public_profile(app, client, editor):
    editor.post("/en/staff/organisations/new", new_organisation())
    assert client.get("/en/o/thread-needle").status_code == 404

    editor.post("/en/staff/organisations/thread-needle/publish")
    assert load(app, "thread-needle").status == "published"
    assert load(app, "thread-needle").published_at is not None
    assert "Thread &amp; Needle" in client.get("/en/o/thread-needle").get_data(as_text=True)

    editor.post("/en/staff/organisations/thread-needle/archive")
    assert load(app, "thread-needle").status == "archived"
    assert client.get("/en/o/thread-needle").status_code == 410

    editor.post("/en/staff/organisations/thread-needle/restore", {"status": "draft"})
    assert load(app, "thread-needle").status == "draft"
    editor.post("/en/staff/organisations/thread-needle/archive")
    editor.post("/en/staff/organisations/thread-needle/restore", {"status": "published"})
    assert load(app, "thread-needle").status == "published"
    assert revision_actions(app) == [
        "create",
        "publish",
        "archive",
        "restore",
        "archive",
        "restore",
    ]
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditEntry.action)))
    assert actions.count("restore") == 2 and "publish" in actions and "create" in actions


def test_restore_only_applies_to_an_archived_organisation(app, editor):
    editor.post("/en/staff/organisations/new", new_organisation())
    editor.post("/en/staff/organisations/thread-needle/restore", {"status": "published"})
    assert load(app, "thread-needle").status == "draft"


def test_admin_deletes_after_confirmation_and_the_history_stays(app, client, staff):
    staff.login(role="admin")
    staff.post("/en/staff/organisations/new", new_organisation())
    page = client.get("/en/staff/organisations/thread-needle/delete")
    assert page.status_code == 200 and "Delete Thread &amp; Needle?" in page.get_data(as_text=True)
    assert load(app, "thread-needle") is not None
    response = staff.post("/en/staff/organisations/thread-needle/delete")
    assert response.headers["Location"] == "/en/staff/organisations"
    assert load(app, "thread-needle") is None
    with app.app_context():
        kept = list(db.session.scalars(sa.select(Revision).order_by(Revision.id)))
        assert [r.action for r in kept] == ["create", "delete"]
        assert all(
            r.organisation_id is None and r.organisation_slug == "thread-needle" for r in kept
        )
    assert 'data-action="delete"' in client.get("/en/staff/audit").get_data(as_text=True)


# Bad input --------------------------------------------------------------------------------


def test_invalid_input_keeps_everything_typed_and_marks_each_field(app, client, editor):
    typed = new_organisation(
        founded_year="3024",
        team_size="a dozen",
        website=JS_URL,
        summary="A summary worth keeping",
        kind="",
    )
    response = editor.post("/en/staff/organisations/new", typed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for field in ("founded_year", "team_size", "website", "kind"):
        assert f'id="{field}-error"' in page, field
        assert re.search(
            rf'aria-describedby="[^"]*{field}-error"[^>]*aria-invalid="true"', page
        ) or re.search(rf'aria-invalid="true"[^>]*id="{field}"', page), field
    assert "A summary worth keeping</textarea>" in page
    assert 'value="3024"' in page and 'value="a dozen"' in page
    assert "small-batch sewing\npattern cutting</textarea>" in page
    assert re.search(r'<input[^>]*checked[^>]*value="textile"|value="textile"[^>]*checked', page)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 0


def test_too_long_value_is_a_validation_error(app, editor):
    editor.post("/en/staff/organisations/new", new_organisation())
    data = edit_form(app, "thread-needle")
    data["summary"] = "x" * 5000
    response = editor.post("/en/staff/organisations/thread-needle/edit", data)
    assert response.status_code == 422
    assert 'id="summary-error"' in response.get_data(as_text=True)
    assert load(app, "thread-needle").summary == "Small-batch sewing for young brands."


@pytest.mark.parametrize("field", ["summary", "description", "tags", "name"])
def test_ten_megabyte_field_is_refused_and_changes_nothing(app, editor, field):
    editor.post("/en/staff/organisations/new", new_organisation())
    data = edit_form(app, "thread-needle")
    data[field] = "x" * (10 * 1024 * 1024)
    response = editor.post("/en/staff/organisations/thread-needle/edit", data)
    assert 400 <= response.status_code < 500
    org = load(app, "thread-needle")
    assert org.version == 1 and org.name == "Thread & Needle"


def test_unknown_sector_and_unknown_kind_are_refused(app, editor):
    response = editor.post(
        "/en/staff/organisations/new", new_organisation(kind="spaceship", sectors=["nonsense"])
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="kind-error"' in page and 'id="sectors-error"' in page


# Scripts typed into fields -------------------------------------------------------------------

TEXT_FIELDS = (
    "name", "name_alt", "summary", "description", "tags", "capabilities", "needs", "city",
    "address", "capacity", "equipment", "min_order", "programmes",
)  # fmt: skip


def assert_no_live_payload(html: str, where: str) -> None:
    assert SCRIPT not in html, where
    assert "<img src=x" not in html, where
    assert not re.search(r'(href|src|action)="\s*javascript:', html, re.IGNORECASE), where


def test_script_payloads_come_out_escaped_or_refused(app, client, editor):
    payload = f"{SCRIPT} {IMG} {JS_URL}"
    typed = new_organisation(**{field: payload for field in TEXT_FIELDS})
    # Short columns get the payloads that fit them.
    typed.update(building=IMG, floor="<script>x</script>", unit="<b>1</b>", phone=f"{SCRIPT} 123")

    refused = {"website": JS_URL, "email": IMG}
    for field, value in refused.items():
        response = editor.post("/en/staff/organisations/new", {**typed, field: value})
        assert response.status_code == 422, field
        assert f'id="{field}-error"' in response.get_data(as_text=True)
        assert_no_live_payload(response.get_data(as_text=True), f"422 page, {field}")

    response = editor.post("/en/staff/organisations/new", typed)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    slug = response.headers["Location"].split("/")[4]
    org = load(app, slug)
    assert org.summary == payload  # stored as typed; escaping happens on output
    editor.post(f"/en/staff/organisations/{slug}/publish")
    editor.post(f"/en/staff/organisations/{slug}/edit", {**edit_form(app, slug), "city": IMG})

    pages = [
        f"/en/staff/organisations/{slug}/edit",
        f"/en/staff/organisations/{slug}/history",
        "/en/staff/",
        "/en/staff/organisations",
        f"/en/staff/organisations?q={slug[:5]}",
        f"/en/o/{slug}",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_no_live_payload(response.get_data(as_text=True), path)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(f"/en/o/{slug}").get_data(
        as_text=True
    )


# Two editors, one organisation ---------------------------------------------------------------


def test_stale_edit_shows_conflict_and_keeps_both_versions(app, client, editor):
    editor.post("/en/staff/organisations/new", new_organisation())
    second = StaffSession(app, app.test_client())
    second.login(email="second@example.org")

    # Both open the form at version 1.
    form_a = edit_form(app, "thread-needle")
    form_b = edit_form(app, "thread-needle")
    assert form_a["version"] == form_b["version"] == "1"

    form_a["summary"] = "Summary by the first editor."
    assert editor.post("/en/staff/organisations/thread-needle/edit", form_a).status_code == 302

    form_b["city"] = "Shuya"
    form_b["tags"] = "typed by the second editor"
    form_b["summary"] = "Summary by the second editor."
    response = second.post("/en/staff/organisations/thread-needle/edit", form_b)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    # Only the summary, changed on both sides, asks for a choice: the value both started from,
    # the saved one and the typed one side by side.
    assert page.count('class="conflict-field"') == 1
    assert re.search(r'data-side="base">Small-batch sewing for young brands\.<', page)
    assert re.search(r'data-side="stored">Summary by the first editor\.<', page)
    assert "Summary by the second editor.</textarea>" in page
    assert re.search(r'id="take-summary-typed" value="typed" checked', page)
    # The fields only the second editor changed go along as typed, without a question.
    assert "Your changes kept as you typed them: Tags, City." in page
    assert '<input type="hidden" name="take-city" value="typed">' in page
    assert '<input type="hidden" name="city" value="Shuya">' in page
    assert '<input type="hidden" name="tags" value="typed by the second editor">' in page
    assert 'name="version" value="2"' in page
    org = load(app, "thread-needle")
    assert (org.summary, org.city, org.version) == ("Summary by the first editor.", "Ivanovo", 2)

    # The second editor keeps the saved summary; the hidden fields carry city and tags.
    resolved = {
        "resolve": "1",
        "version": "2",
        "take-summary": "stored",
        "summary": form_b["summary"],
        "take-city": "typed",
        "city": "Shuya",
        "take-tags": "typed",
        "tags": "typed by the second editor",
    }
    assert second.post("/en/staff/organisations/thread-needle/edit", resolved).status_code == 302
    org = load(app, "thread-needle")
    assert org.summary == "Summary by the first editor."
    assert org.city == "Shuya" and org.tags == ["typed by the second editor"]
    assert org.version == 3
    assert org.capabilities == ["small-batch sewing", "pattern cutting"]  # untouched fields stay
    with app.app_context():
        edits = list(
            db.session.scalars(
                sa.select(Revision).where(Revision.action == "edit").order_by(Revision.id)
            )
        )
        assert [r.user.email for r in edits] == ["editor@example.org", "second@example.org"]
        assert set(edits[0].changes) == {"summary"}
        assert set(edits[1].changes) == {"city", "tags"}


def test_resolving_against_a_version_that_moved_again_conflicts_again(app, editor):
    editor.post("/en/staff/organisations/new", new_organisation())
    stale = edit_form(app, "thread-needle")
    fresh = edit_form(app, "thread-needle")
    fresh["summary"] = "First change."
    editor.post("/en/staff/organisations/thread-needle/edit", fresh)
    stale["city"] = "Shuya"
    assert editor.post("/en/staff/organisations/thread-needle/edit", stale).status_code == 409
    newer = edit_form(app, "thread-needle")
    newer["summary"] = "Second change."
    editor.post("/en/staff/organisations/thread-needle/edit", newer)
    resolved = {"resolve": "1", "version": "2", "take-city": "typed", "city": "Shuya"}
    response = editor.post("/en/staff/organisations/thread-needle/edit", resolved)
    assert response.status_code == 409
    assert load(app, "thread-needle").summary == "Second change."


def test_missing_or_garbled_version_is_a_conflict_not_an_overwrite(app, editor):
    editor.post("/en/staff/organisations/new", new_organisation())
    for version in ("", "abc", "99999999999999999999", "-1"):
        data = {**edit_form(app, "thread-needle"), "version": version, "city": "Elsewhere"}
        assert editor.post("/en/staff/organisations/thread-needle/edit", data).status_code == 409
    assert load(app, "thread-needle").city == "Ivanovo"


def test_conflict_suggestions_hold_after_a_save_that_writes_no_revision(app, client, editor):
    editor.post("/en/staff/organisations/new", new_organisation())
    with app.app_context():
        org = organisations.find("thread-needle")
        org.logo = "0123456789abcdef0123456789abcdef.png"  # as a logo upload does: no revision
        db.session.commit()
    stale = edit_form(app, "thread-needle")
    fresh = {**edit_form(app, "thread-needle"), "city": "Shuya"}
    assert editor.post("/en/staff/organisations/thread-needle/edit", fresh).status_code == 302

    stale["summary"] = "My summary."
    page = editor.post("/en/staff/organisations/thread-needle/edit", stale).get_data(as_text=True)
    # Compared with the version the form was opened at: the other editor's city is kept, this
    # editor's summary goes along, and nothing asks for a choice.
    assert 'class="conflict-field"' not in page
    assert "Changes saved since, kept (you had not touched these): City." in page
    assert "Your changes kept as you typed them: Summary." in page
    assert '<input type="hidden" name="summary" value="My summary.">' in page


def test_stale_edit_sent_to_the_old_address_after_a_rename_reaches_the_conflict_page(app, editor):
    editor.post("/en/staff/organisations/new", new_organisation())
    stale = edit_form(app, "thread-needle")
    renamed = {**edit_form(app, "thread-needle"), "slug": "thread-and-needle"}
    assert editor.post("/en/staff/organisations/thread-needle/edit", renamed).status_code == 302

    stale["summary"] = "Typed before the rename."
    response = editor.post("/en/staff/organisations/thread-needle/edit", stale)
    # A browser sends the same form again to the new address (the test client cannot).
    assert response.status_code == 307
    assert response.location == "/en/staff/organisations/thread-and-needle/edit"
    response = editor.post(response.location, stale)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Typed before the rename." in page
    assert "Changes saved since, kept (you had not touched these): Address name (slug)." in page
    assert load(app, "thread-and-needle").summary == "Small-batch sewing for young brands."
    assert editor.post("/en/staff/organisations/no-such-listing/edit", stale).status_code == 404

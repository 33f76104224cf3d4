"""A listing's lifecycle: one table of moves, enforced by the service whatever a form posts."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from cluster.models import STATUSES
from cluster.services import lifecycle
from tests.factories import find_org, make_org

EDITOR = SimpleNamespace(role="editor")
ADMIN = SimpleNamespace(role="admin")


def listing(status: str, published_before: bool = False) -> SimpleNamespace:
    return SimpleNamespace(
        name="Thread & Needle",
        status=status,
        published_at="2026-01-01" if published_before else None,
    )


# The moves, as a person would state them; the table must give exactly these.
EXPECTED_MOVES = {
    "draft": {"pending", "published", "archived"},
    "pending": {"draft", "published", "archived"},
    "published": {"archived"},
    "archived": {"published", "draft"},
}


@pytest.mark.parametrize("status", STATUSES)
def test_staff_may_move_a_listing_only_along_the_table(status):
    assert set(lifecycle.reachable(listing(status), EDITOR)) == EXPECTED_MOVES[status]
    assert set(lifecycle.reachable(listing(status), ADMIN)) == EXPECTED_MOVES[status]


def test_nobody_outside_the_staff_moves_anything():
    for status in STATUSES:
        assert lifecycle.actions(listing(status), None) == set()


def test_only_admins_delete_and_editors_reject_only_what_was_never_published():
    assert "delete" in lifecycle.actions(listing("published"), ADMIN)
    assert "delete" not in lifecycle.actions(listing("published"), EDITOR)
    assert "reject" in lifecycle.actions(listing("pending"), EDITOR)
    assert "reject" not in lifecycle.actions(listing("pending", published_before=True), EDITOR)
    with pytest.raises(lifecycle.LifecycleError, match="published before"):
        lifecycle.check("reject", listing("pending", published_before=True), EDITOR)


def buttons(page: str) -> set[str]:
    return set(
        re.findall(r"/en/staff/organisations/[a-z-]+/(publish|archive|restore|delete)", page)
    )


def test_the_edit_page_shows_the_buttons_the_lifecycle_allows(app, client, staff):
    with app.app_context():
        make_org("Draft Studio", status="draft")
        make_org("Gone Studio", status="archived")
    staff.login()
    draft = client.get("/en/staff/organisations/draft-studio/edit").get_data(as_text=True)
    assert buttons(draft) == {"publish", "archive"}
    archived = client.get("/en/staff/organisations/gone-studio/edit").get_data(as_text=True)
    assert buttons(archived) == {"restore"}
    # The status select offers the current status and the moves from it, nothing else.
    select = archived[archived.index('<select id="status"') :].split("</select>", 1)[0]
    assert set(re.findall(r'value="(\w+)"', select)) == {"archived", "published", "draft"}


def test_publishing_an_archived_listing_needs_the_restore_step(app, client, staff):
    with app.app_context():
        make_org("Gone Studio", status="archived")
    staff.login()
    response = staff.post("/en/staff/organisations/gone-studio/publish", follow_redirects=True)
    assert "Gone Studio is archived, so it cannot be published." in response.get_data(as_text=True)
    assert find_org("gone-studio", app=app).status == "archived"
    assert client.get("/en/o/gone-studio").status_code == 410


def test_an_edit_form_posting_an_illegal_status_changes_nothing(app, client, staff):
    with app.app_context():
        make_org("Live Studio", status="published", summary="As it was.")
    staff.login()
    form = {"name": "Live Studio", "kind": "company", "status": "pending", "version": "1"}
    response = staff.post("/en/staff/organisations/live-studio/edit", {**form, "summary": "New."})
    assert response.status_code == 422
    org = find_org("live-studio", app=app)
    assert (org.status, org.summary, org.version) == ("published", "As it was.", 1)


@pytest.mark.parametrize("action", sorted(lifecycle.TRANSITIONS))
def test_every_refusal_is_one_whole_sentence_about_the_listing(action):
    for status in STATUSES:
        for published_before in (False, True):
            org = listing(status, published_before)
            if lifecycle.allows(action, org, ADMIN):
                continue
            with pytest.raises(lifecycle.LifecycleError) as refused:
                lifecycle.check(action, org, ADMIN)
            message = str(refused.value)
            assert message.startswith("Thread & Needle ") and message.endswith("."), message
            assert "%(" not in message
    with pytest.raises(lifecycle.LifecycleError, match="Only"):
        lifecycle.check(action, listing("draft"), None)

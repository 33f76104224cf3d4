"""Public submissions and their moderation; verification and the stale list."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from cluster.extensions import db
from cluster.models import AuditEntry, Revision, utcnow
from tests.factories import count_orgs, find_org, make_org

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def public_token(client) -> str:
    return CSRF.search(client.get("/en/submit").get_data(as_text=True)).group(1)


def submission(client, **fields) -> dict:
    data = {
        "name": "Loom & Needle",
        "kind": "manufacturer",
        "residency": "resident",
        "summary": "Small-batch sewing for young brands.",
        "email": "hello@loomneedle.example",
        "sectors": ["textile"],
        "csrf_token": public_token(client),
    }
    data.update(fields)
    return data


def audit_actions(app):
    with app.app_context():
        return [
            entry.action
            for entry in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))
        ]


# Public side ----------------------------------------------------------------------------------


def test_submission_lands_pending_and_is_not_public(app, client):
    response = client.post("/en/submit", data=submission(client))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/en/submit/thanks")
    assert "Thank you" in client.get("/en/submit/thanks").get_data(as_text=True)

    org = find_org("loom-needle", app=app)
    assert org.status == "pending"
    assert org.kind == "manufacturer"
    assert org.published_at is None
    assert client.get("/en/o/loom-needle").status_code == 404
    assert "Loom &amp; Needle" not in client.get("/en/organisations").get_data(as_text=True)


def test_submission_whose_name_gives_no_slug_still_arrives(app, client):
    # The public form has no slug field, so "give one" would be advice nobody can follow.
    response = client.post("/en/submit", data=submission(client, name="★ ★ ★"))
    assert response.status_code == 303
    assert find_org("organisation", app=app).name == "★ ★ ★"


def test_submission_form_has_no_status_or_slug_and_ignores_them(app, client):
    page = client.get("/en/submit").get_data(as_text=True)
    assert 'name="status"' not in page
    assert 'name="slug"' not in page
    assert 'class="form-trap"' in page and "style=" not in page

    client.post("/en/submit", data=submission(client, status="published", slug="chosen"))
    assert find_org("chosen", app=app) is None
    assert find_org("loom-needle", app=app).status == "pending"


def test_invalid_submission_shows_errors_and_keeps_what_was_typed(app, client):
    response = client.post(
        "/en/submit",
        data=submission(client, name="", website="javascript:alert(1)", summary="Kept"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "only http and https" in page or "This field is required" in page
    assert "Kept" in page
    assert count_orgs(app=app) == 0


def test_filled_honeypot_is_dropped_with_the_normal_thank_you(app, client):
    response = client.post("/en/submit", data=submission(client, homepage="http://spam.example"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/en/submit/thanks")
    assert find_org("loom-needle", app=app) is None


def test_submission_without_csrf_token_is_refused(app, client):
    data = submission(client)
    del data["csrf_token"]
    assert client.post("/en/submit", data=data).status_code == 400
    assert find_org("loom-needle", app=app) is None


def test_sixth_submission_in_an_hour_gets_a_clear_429(app, client):
    for name in ("Kite Works", "Prism Print", "Oak Weavers", "Nimbus Animation", "Vela School"):
        response = client.post("/en/submit", data=submission(client, name=name, email=""))
        assert response.status_code == 303
    response = client.post("/en/submit", data=submission(client, name="Sixth Studio", email=""))
    assert response.status_code == 429
    assert "Too many submissions" in response.get_data(as_text=True)
    assert find_org("sixth-studio", app=app) is None
    # Another address is not affected.
    other = client.post(
        "/en/submit",
        data=submission(client, name="Sixth Studio", email=""),
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert other.status_code == 303


def test_forms_with_errors_do_not_use_up_the_limit(app, client):
    for _ in range(6):
        assert client.post("/en/submit", data=submission(client, name="")).status_code == 422
    assert client.post("/en/submit", data=submission(client)).status_code == 303


def test_likely_duplicate_warns_before_saving_and_saves_when_confirmed(app, client):
    with app.app_context():
        make_org("Калибр", slug="kalibr")
        make_org("Hidden Draft", slug="hidden-draft", status="draft", email="team@hidden.example")

    response = client.post("/en/submit", data=submission(client, name="Kalibr"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "may already be listed" in page
    assert 'href="/en/o/kalibr"' in page
    assert 'name="confirm_duplicate"' in page
    assert find_org("kalibr-2", app=app) is None

    response = client.post(
        "/en/submit", data=submission(client, name="Kalibr", confirm_duplicate="y")
    )
    assert response.status_code == 303
    assert find_org("kalibr-2", app=app).status == "pending"

    # A listing that is not public is not compared with at all (tests/test_duplicate_check.py).
    response = client.post(
        "/en/submit", data=submission(client, name="Other Name", email="team@hidden.example")
    )
    assert response.status_code == 303


# Moderation -----------------------------------------------------------------------------------


@pytest.fixture
def pending(app, client):
    client.post("/en/submit", data=submission(client))
    return "loom-needle"


STAFF_PAGES = [
    ("get", "/en/staff/moderation"),
    ("post", "/en/staff/moderation/loom-needle/approve"),
    ("post", "/en/staff/moderation/loom-needle/send-back"),
    ("post", "/en/staff/moderation/loom-needle/reject"),
    ("post", "/en/staff/organisations/loom-needle/verify"),
    ("get", "/en/staff/stale"),
]


@pytest.mark.parametrize(("method", "path"), STAFF_PAGES)
def test_anonymous_visitors_cannot_reach_moderation_or_stale(app, client, pending, method, path):
    response = getattr(client, method)(path, data={"csrf_token": public_token(client)})
    assert response.status_code == 302
    assert "/en/staff/login" in response.headers["Location"]
    assert find_org("loom-needle", app=app).status == "pending"


def test_queue_lists_pending_submissions_with_likely_duplicates(app, client, staff, pending):
    with app.app_context():
        make_org("Loom and Needle", slug="loom-and-needle")
    staff.login()
    page = client.get("/en/staff/moderation").get_data(as_text=True)
    assert "Loom &amp; Needle" in page
    assert "Likely duplicate of" in page
    assert "/en/staff/organisations/loom-and-needle/edit" in page


def test_editor_approves_a_submission_and_it_goes_public(app, client, staff, pending):
    staff.login()
    response = staff.post("/en/staff/moderation/loom-needle/approve")
    assert response.status_code == 303
    org = find_org("loom-needle", app=app)
    assert org.status == "published" and org.published_at is not None
    assert client.get("/en/o/loom-needle").status_code == 200
    assert "approve" in audit_actions(app)


def test_approving_twice_explains_instead_of_failing(app, client, staff, pending):
    staff.login()
    staff.post("/en/staff/moderation/loom-needle/approve")
    response = staff.post("/en/staff/moderation/loom-needle/approve", follow_redirects=True)
    assert response.status_code == 200
    assert "no longer waiting for moderation" in response.get_data(as_text=True)
    assert audit_actions(app).count("approve") == 1


def test_send_back_keeps_it_pending_logs_the_mail_and_keeps_the_note(
    app, client, staff, pending, caplog
):
    staff.login()
    # Alembic's logging set-up (run by the app fixture's upgrade) disables loggers made before it.
    logging.getLogger("cluster.services.mail").disabled = False
    with caplog.at_level(logging.INFO, logger="cluster.services.mail"):
        response = staff.post(
            "/en/staff/moderation/loom-needle/send-back",
            data={"note": "Please add your address in the technopark."},
            follow_redirects=True,
        )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "No mail server is configured: copy the note below" in page
    assert "Please add your address in the technopark." in page  # there to copy
    assert find_org("loom-needle", app=app).status == "pending"
    assert "To: hello@loomneedle.example" in caplog.text
    assert "Please add your address in the technopark." in caplog.text
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).filter_by(action="send-back"))
        assert entry.detail == "Please add your address in the technopark."
        assert entry.user_email == "editor@example.org"
    page = client.get("/en/staff/moderation").get_data(as_text=True)
    assert "Sent back" in page and "Please add your address" in page


def test_send_back_needs_a_note(app, client, staff, pending):
    staff.login()
    response = staff.post(
        "/en/staff/moderation/loom-needle/send-back", data={"note": " "}, follow_redirects=True
    )
    assert "Write what should be corrected" in response.get_data(as_text=True)
    assert "send-back" not in audit_actions(app)


def test_send_back_uses_the_mail_server_when_configured(app, client, staff, pending):
    # Port 9 on localhost refuses the connection: the note is still kept, and staff are told.
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)
    staff.login()
    response = staff.post(
        "/en/staff/moderation/loom-needle/send-back", data={"note": "Fix it"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "send-back" in audit_actions(app)
    assert find_org("loom-needle", app=app).status == "pending"


def test_editor_rejects_a_submission_which_is_deleted_with_a_trace(app, client, staff, pending):
    staff.login()
    response = staff.post("/en/staff/moderation/loom-needle/reject", data={"reason": "Spam"})
    assert response.status_code == 303
    assert find_org("loom-needle", app=app) is None
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).filter_by(action="reject"))
        assert entry.detail == "Spam" and entry.target == "organisation:loom-needle"
        deletion = db.session.scalar(sa.select(Revision).filter_by(action="delete"))
        assert deletion.snapshot["name"] == "Loom & Needle"


def test_moderation_post_without_csrf_token_is_refused(app, client, staff, pending):
    staff.login()
    assert client.post("/en/staff/moderation/loom-needle/approve").status_code in (302, 303, 400)
    assert find_org("loom-needle", app=app).status == "pending"


def test_published_organisation_cannot_be_rejected_from_the_queue(app, client, staff):
    with app.app_context():
        make_org("Kalibr", slug="kalibr")
    staff.login()
    response = staff.post("/en/staff/moderation/kalibr/reject", follow_redirects=True)
    assert "no longer waiting for moderation" in response.get_data(as_text=True)
    assert find_org("kalibr", app=app).status == "published"
    assert staff.post("/en/staff/moderation/nobody/approve").status_code == 404


# Verification and stale listings ---------------------------------------------------------------


def test_verified_shows_on_the_profile_and_leaves_the_stale_list(app, client, staff):
    with app.app_context():
        make_org("Kalibr", slug="kalibr")
        make_org("Fresh", slug="fresh", verified_at=utcnow() - timedelta(days=10))
    staff.login()
    page = client.get("/en/staff/stale").get_data(as_text=True)
    assert "Kalibr" in page and "Fresh" not in page
    assert "Checked by the technopark" not in client.get("/en/o/kalibr").get_data(as_text=True)

    response = staff.post("/en/staff/organisations/kalibr/verify", data={"next": "/en/staff/stale"})
    assert response.status_code == 303 and response.headers["Location"] == "/en/staff/stale"

    profile = client.get("/en/o/kalibr").get_data(as_text=True)
    assert "Checked by the technopark on" in profile
    assert f"{utcnow():%B %Y}" in profile
    assert "Kalibr" not in client.get("/en/staff/stale").get_data(as_text=True)
    assert "verify" in audit_actions(app)
    with app.app_context():
        org = find_org("kalibr")
        assert org.verified_by.email == "editor@example.org"


def test_verify_redirect_stays_on_this_site(app, client, staff):
    with app.app_context():
        make_org("Kalibr", slug="kalibr")
    staff.login()
    response = staff.post(
        "/en/staff/organisations/kalibr/verify", data={"next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/en/staff/stale"


def test_stale_list_shows_a_year_old_check_and_survives_odd_pages(app, client, staff):
    with app.app_context():
        make_org("Old Check", slug="old-check", verified_at=datetime.now() - timedelta(days=400))
    staff.login()
    for page in ("1", "-1", "abc", "99999999999999999999"):
        response = client.get(f"/en/staff/stale?page={page}")
        assert response.status_code == 200
        assert "Old Check" in response.get_data(as_text=True)

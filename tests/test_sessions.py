"""Staff sessions end when they should: a saved cookie replayed after the session ended opens
nothing, whoever holds it."""

from __future__ import annotations

import sqlalchemy as sa

from cluster.extensions import db
from cluster.models import User
from cluster.services import accounts
from tests.helpers import STAFF_PASSWORD, StaffSession, make_user


def saved_cookie(client) -> str:
    return client.get_cookie("session").value


def replay(app, cookie: str, **environ) -> int:
    """Open the staff dashboard in another browser holding a copy of the cookie; the status."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/en/staff/", environ_base=environ).status_code


def logged_in(app, email="editor@example.org", role="editor"):
    client = app.test_client()
    staff = StaffSession(app, client)
    assert staff.login(email=email, role=role).status_code == 302
    return client, staff


def test_a_saved_cookie_opens_nothing_after_logout(app):
    client, staff = logged_in(app)
    cookie = saved_cookie(client)
    assert replay(app, cookie) == 200
    staff.logout()
    assert replay(app, cookie) == 302


def test_logout_ends_the_sessions_in_other_browsers_too(app):
    first, staff = logged_in(app)
    second = app.test_client()
    assert StaffSession(app, second).login(create=False).status_code == 302
    staff.logout()
    assert second.get("/en/staff/").status_code == 302


def test_disabling_and_enabling_an_account_ends_its_old_sessions(app):
    editor, _ = logged_in(app)
    cookie = saved_cookie(editor)
    admin, admin_staff = logged_in(app, email="admin@example.org", role="admin")
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).filter_by(email="editor@example.org"))
    for active in ("0", "1"):
        response = admin_staff.post(
            f"/en/staff/users/{user_id}", data={"role": "editor", "active": active}
        )
        assert response.status_code == 302
    assert replay(app, cookie) == 302
    assert editor.get("/en/staff/").status_code == 302
    # The account itself works again: its owner logs in afresh.
    assert StaffSession(app, app.test_client()).login(create=False).status_code == 302


def test_a_role_change_ends_the_sessions_of_that_user(app):
    editor, _ = logged_in(app)
    cookie = saved_cookie(editor)
    _admin, admin_staff = logged_in(app, email="admin@example.org", role="admin")
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).filter_by(email="editor@example.org"))
    admin_staff.post(f"/en/staff/users/{user_id}", data={"role": "admin", "active": "1"})
    assert replay(app, cookie) == 302


def test_a_password_change_ends_the_sessions_of_that_user(app):
    editor, _ = logged_in(app)
    cookie = saved_cookie(editor)
    with app.test_request_context():
        user = accounts.find_user("editor@example.org")
        accounts.set_password(user, "a brand new long secret")
        db.session.commit()
    assert replay(app, cookie) == 302


def test_a_deleted_users_cookie_never_opens_the_account_that_gets_the_same_id(app):
    client, _ = logged_in(app, email="gone@example.org")
    cookie = saved_cookie(client)
    with app.app_context():
        gone = accounts.find_user("gone@example.org")
        old_id = gone.id
        db.session.delete(gone)
        db.session.commit()
    new_id = make_user(app, "next@example.org", role="admin")
    assert new_id == old_id  # SQLite hands the freed id to the next row
    assert replay(app, cookie) == 302


def test_the_csrf_token_changes_at_login(app, client, staff):
    make_user(app)
    before = staff.csrf_token()
    response = client.post(
        "/en/staff/login",
        data={"email": "editor@example.org", "password": STAFF_PASSWORD, "csrf_token": before},
    )
    assert response.status_code == 302
    after = staff.csrf_token("/en/staff/")
    assert after != before
    # A form carrying the token from before the login is refused.
    assert client.post("/en/staff/logout", data={"csrf_token": before}).status_code == 400
    assert client.get("/en/staff/").status_code == 200


def test_a_forged_forwarded_address_does_not_carry_a_cookie_to_another_address(app):
    client = app.test_client()
    make_user(app)
    staff = StaffSession(app, client)
    token = staff.csrf_token()
    client.post(
        "/en/staff/login",
        data={"email": "editor@example.org", "password": STAFF_PASSWORD, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "192.0.2.10"},
    )
    cookie = saved_cookie(client)
    assert replay(app, cookie, REMOTE_ADDR="192.0.2.10") == 200
    other = app.test_client()
    other.set_cookie("session", cookie)
    stolen = other.get(
        "/en/staff/",
        headers={"X-Forwarded-For": "192.0.2.10"},
        environ_base={"REMOTE_ADDR": "198.51.100.66"},
    )
    assert stolen.status_code == 302

"""Staff accounts: the create-user command, logging in and out, rate limits, safe redirects."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from cluster import create_app
from cluster.extensions import db
from cluster.models import AuditEntry, User
from cluster.services import accounts
from tests.helpers import STAFF_PASSWORD, StaffSession, app_settings, build_app, make_user


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def stored_user(app, email) -> User | None:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


# The create-user command ----------------------------------------------------------------------


def test_create_user_reads_the_password_from_stdin_and_hashes_it(app, runner):
    result = runner.invoke(
        args=["create-user", "Editor@Example.org", "--role", "editor", "--password-stdin"],
        input="a long enough secret\n",
    )
    assert result.exit_code == 0, result.output
    user = stored_user(app, "editor@example.org")
    assert user.role == "editor"
    assert user.password_hash.startswith("$argon2id$")
    assert "a long enough secret" not in user.password_hash
    assert "user-create" in audit_actions(app)


def test_create_user_prompts_twice_for_the_password(app, runner):
    result = runner.invoke(
        args=["create-user", "admin@example.org", "--role", "admin"],
        input="a long enough secret\na long enough secret\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 1 and "Repeat for confirmation" in result.output
    assert "a long enough secret" not in result.output
    assert stored_user(app, "admin@example.org").role == "admin"


def test_create_user_asks_again_when_the_two_passwords_differ(app, runner):
    result = runner.invoke(
        args=["create-user", "admin@example.org", "--role", "admin"],
        input="a long enough secret\nanother secret!!\nthird time right\nthird time right\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    with app.app_context():
        assert accounts.authenticate("admin@example.org", "third time right") is not None


@pytest.mark.parametrize(
    ("args", "password", "message", "code"),
    [
        (["create-user", "someone@example.org", "--role", "editor"], "short", "at least 10", 1),
        (["create-user", "not-an-email", "--role", "editor"], "a long enough secret", "e-mail", 2),
        (
            ["create-user", "someone@example.org", "--role", "owner"],
            "a long enough secret",
            "owner",
            2,
        ),
    ],
    ids=["short password", "bad e-mail", "unknown role"],
)
def test_create_user_refuses_bad_input_with_a_message(app, runner, args, password, message, code):
    result = runner.invoke(args=[*args, "--password-stdin"], input=password + "\n")
    assert result.exit_code == code
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_create_user_refuses_an_existing_email(app, runner):
    make_user(app, "editor@example.org")
    result = runner.invoke(
        args=["create-user", "EDITOR@example.org", "--password-stdin"], input="another password\n"
    )
    assert result.exit_code == 1
    assert "already exists" in result.output


# Logging in and out ---------------------------------------------------------------------------


def test_login_with_the_right_password_opens_the_dashboard(app, client, staff):
    response = staff.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/staff/"
    assert client.get("/en/staff/").status_code == 200
    assert audit_actions(app)[-1] == "login"


def test_session_cookie_is_httponly_and_samesite(staff):
    response = staff.login()
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_over_https(app, client):
    make_user(app)
    page = client.get("/en/staff/login", base_url="https://localhost")
    assert "Secure" in page.headers["Set-Cookie"]


def test_wrong_password_and_unknown_email_get_the_same_message(app, client, staff):
    make_user(app)
    token = staff.csrf_token()
    wrong = client.post(
        "/en/staff/login",
        data={"email": "editor@example.org", "password": "not the password", "csrf_token": token},
    )
    unknown = client.post(
        "/en/staff/login",
        data={"email": "nobody@example.org", "password": "not the password", "csrf_token": token},
    )
    assert wrong.status_code == unknown.status_code == 200
    assert "Wrong e-mail or password." in wrong.get_data(as_text=True)
    assert "Wrong e-mail or password." in unknown.get_data(as_text=True)
    assert "nobody@example.org" in unknown.get_data(as_text=True)  # the e-mail stays typed
    assert client.get("/en/staff/").status_code == 302
    assert audit_actions(app).count("login-failed") == 2


def test_disabled_account_cannot_log_in(app, client, staff):
    user_id = make_user(app)
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    response = staff.login(create=False)
    assert "Wrong e-mail or password." in response.get_data(as_text=True)
    assert client.get("/en/staff/").status_code == 302


def test_login_rehashes_a_password_hashed_with_old_parameters(app, staff):
    user_id = make_user(app)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(STAFF_PASSWORD)
    with app.app_context():
        db.session.get(User, user_id).password_hash = weak
        db.session.commit()
    assert staff.login(create=False).status_code == 302
    rehashed = stored_user(app, "editor@example.org").password_hash
    assert rehashed != weak
    with app.app_context():
        assert not accounts.hasher().check_needs_rehash(rehashed)


def test_logout_needs_a_post_with_the_csrf_token(client, staff):
    staff.login()
    assert client.get("/en/staff/logout").status_code == 405
    assert client.post("/en/staff/logout").status_code == 400
    assert client.get("/en/staff/").status_code == 200
    response = staff.logout()
    assert response.status_code == 302
    assert client.get("/en/staff/").status_code == 302


def test_login_without_csrf_token_is_refused(app, client):
    make_user(app)
    response = client.post(
        "/en/staff/login", data={"email": "editor@example.org", "password": STAFF_PASSWORD}
    )
    assert response.status_code == 400
    assert client.get("/en/staff/").status_code == 302


# Rate limits ----------------------------------------------------------------------------------


def fail_login(client, token, email="editor@example.org", address="127.0.0.1"):
    return client.post(
        "/en/staff/login",
        data={"email": email, "password": "wrong password", "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def test_eleventh_failure_in_a_minute_from_one_address_is_refused(app, client, staff):
    make_user(app)
    token = staff.csrf_token()
    for number in range(10):
        # Different accounts, so only the per-address limit can trip.
        assert fail_login(client, token, email=f"user{number}@example.org").status_code == 200
    refused = fail_login(client, token, email="other@example.org")
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    # Even the right password waits now.
    right = client.post(
        "/en/staff/login",
        data={"email": "editor@example.org", "password": STAFF_PASSWORD, "csrf_token": token},
    )
    assert right.status_code == 429


def test_after_ten_failures_for_one_account_addresses_that_failed_wait(app, client, staff):
    make_user(app)
    token = staff.csrf_token()
    for number in range(10):
        assert fail_login(client, token, address=f"10.0.0.{number}").status_code == 200
    # An address that failed for this account waits; one that has not may still try.
    assert fail_login(client, token, address="10.0.0.3").status_code == 429
    assert fail_login(client, token, address="10.0.1.1").status_code == 200
    # Another account from an address that failed is not affected.
    assert fail_login(client, token, email="x@example.org", address="10.0.0.3").status_code == 200


def test_successful_logins_do_not_count_towards_the_limit(app, client, staff):
    make_user(app)
    for _ in range(11):
        assert staff.login(create=False).status_code == 302
        staff.logout()


# Where a login leads --------------------------------------------------------------------------


def test_login_page_sends_anonymous_visitors_back_where_they_were_going(client, staff):
    response = client.get("/en/staff/organisations?status=draft")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/en/staff/login?next=")
    make_user(staff.app)
    token = staff.csrf_token()
    login = client.post(
        "/en/staff/login?next=/en/staff/organisations%3Fstatus%3Ddraft",
        data={"email": "editor@example.org", "password": STAFF_PASSWORD, "csrf_token": token},
    )
    assert login.headers["Location"] == "/en/staff/organisations?status=draft"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "http://evil.example/staff/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/\n/evil.example",
        "/\t/evil.example",
        "evil.example",
    ],
)
def test_next_never_leads_off_the_site(app, client, staff, target):
    make_user(app)
    token = staff.csrf_token()
    response = client.post(
        "/en/staff/login",
        query_string={"next": target},
        data={"email": "editor@example.org", "password": STAFF_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/staff/"


def failures_then_another_visitor(app) -> int:
    """Ten failed logins forwarded for one visitor, then one for another: the last status."""
    client = app.test_client()
    staff = StaffSession(app, client)
    token = staff.csrf_token()
    for number in range(10):
        headers = {"X-Forwarded-For": "203.0.113.1"}
        response = client.post(
            "/en/staff/login",
            data={
                "email": f"user{number}@example.org",
                "password": "wrong password",
                "csrf_token": token,
            },
            headers=headers,
        )
        assert response.status_code == 200
    return client.post(
        "/en/staff/login",
        data={"email": "other@example.org", "password": "wrong password", "csrf_token": token},
        headers={"X-Forwarded-For": "203.0.113.2"},
    ).status_code


def test_behind_a_proxy_limits_count_each_visitor_not_the_proxy(tmp_path):
    app = build_app(tmp_path, PROXY_COUNT=1)
    assert failures_then_another_visitor(app) == 200
    with app.app_context():
        addresses = set(db.session.scalars(sa.select(AuditEntry.ip)))
    assert addresses == {"203.0.113.1", "203.0.113.2"}


def test_forwarded_addresses_are_ignored_unless_a_proxy_is_configured(app):
    # Otherwise anyone could pick a fresh address for each guess.
    assert failures_then_another_visitor(app) == 429


def test_outside_the_tests_passwords_are_hashed_at_production_cost(tmp_path):
    # The suite hashes cheaply (tests.helpers); the app's own default must not.
    settings = app_settings(tmp_path)
    settings.pop("PASSWORD_HASH_PROFILE")
    app = create_app(settings)
    with app.app_context():
        password_hash = accounts.hasher().hash(STAFF_PASSWORD)
    assert "$m=65536,t=3,p=4$" in password_hash


def test_a_failed_login_cannot_write_a_forged_line_into_the_audit_log(app, client, staff):
    forged = "nobody@example.org\r\n2026-12-01 09:00 admin@example.org login\u2028user-create"
    token = staff.csrf_token()
    client.post(
        "/en/staff/login",
        data={"email": forged, "password": "not the password", "csrf_token": token},
    )
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).filter_by(action="login-failed"))
    assert entry.target == "nobody@example.org 2026-12-01 09:00 admin@example.org login user-create"
    assert not any(char in entry.target for char in "\r\n\u2028")

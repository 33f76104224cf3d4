"""Failed logins are counted in the database: every worker sees them, and no guesser can lock
the real user out."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from cluster.extensions import db
from cluster.models import LoginFailure
from cluster.services import logins
from tests.helpers import STAFF_PASSWORD, StaffSession, build_app, make_user
from tests.test_shared_limits import second_server


def attempt(app, email="editor@example.org", password="wrong password", address="127.0.0.1"):
    """One login from a fresh browser on this app (a worker); the status code."""
    client = app.test_client()
    token = StaffSession(app, client).csrf_token()
    return client.post(
        "/en/staff/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    ).status_code


def test_failures_on_one_worker_count_on_another_with_memory_storage(tmp_path):
    # Two app instances on one database, each with memory:// storage, as two gunicorn workers
    # are: the second starts counting afresh in memory, but not in the database.
    first = build_app(tmp_path, RATELIMIT_STORAGE_URI="memory://")
    make_user(first)
    assert [attempt(first) for _ in range(10)] == [200] * 10
    second = second_server(first)
    assert second.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert [attempt(second) for _ in range(4)] == [429] * 4
    assert attempt(second, password=STAFF_PASSWORD) == 429
    assert attempt(first) == 429


def test_guesses_from_many_addresses_do_not_lock_the_real_user_out(app):
    make_user(app)
    for number in range(30):
        attempt(app, address=f"203.0.113.{number}")
    # Each guessing address that failed waits now ...
    assert attempt(app, address="203.0.113.5") == 429
    assert attempt(app, password=STAFF_PASSWORD, address="203.0.113.5") == 429
    # ... but the real user, from an address that never failed, logs in.
    assert attempt(app, password=STAFF_PASSWORD, address="198.51.100.20") == 302


def test_an_address_that_fails_for_many_accounts_waits(app):
    make_user(app)
    for number in range(10):
        assert attempt(app, email=f"user{number}@example.org", address="192.0.2.1") == 200
    assert attempt(app, email="other@example.org", address="192.0.2.1") == 429
    assert attempt(app, email="other@example.org", address="192.0.2.2") == 200


def test_failures_older_than_the_window_no_longer_count(app):
    make_user(app)
    for _ in range(10):
        attempt(app)
    assert attempt(app) == 429
    with app.app_context():
        db.session.execute(
            sa.update(LoginFailure).values(
                created_at=LoginFailure.created_at - logins.WINDOW - timedelta(seconds=1)
            )
        )
        db.session.commit()
    assert attempt(app, password=STAFF_PASSWORD) == 302


def test_a_successful_login_clears_that_addresses_failures_for_the_account(app):
    make_user(app)
    for _ in range(9):
        attempt(app)
    assert attempt(app, password=STAFF_PASSWORD) == 302
    for _ in range(9):
        assert attempt(app) == 200

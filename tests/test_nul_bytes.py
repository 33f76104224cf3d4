"""NUL characters typed into staff pages: PostgreSQL refuses them in text; they never reach it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from cluster.extensions import db
from cluster.models import AuditEntry, Organisation, User
from cluster.services import organisations
from tests.helpers import StaffSession

pytestmark = pytest.mark.postgres


def add_pending(app) -> None:
    with app.app_context():
        values, errors = organisations.parse(
            {"name": "Loom & Needle", "kind": "manufacturer", "email": "hello@loomneedle.example"}
        )
        assert not errors
        organisations.create({**values, "status": "pending"}, None)
        db.session.commit()


def test_nul_characters_in_staff_requests_are_refused_or_dropped_on_postgresql(tmp_path):
    from tests.search.pg import postgres_app

    with postgres_app(tmp_path) as app:
        add_pending(app)
        client = app.test_client()
        staff = StaffSession(app, client)

        # Before logging in: an e-mail with a NUL is just a wrong login.
        token = staff.csrf_token()
        response = client.post(
            "/en/staff/login",
            data={"email": "a\x00@example.org", "password": "x" * 12, "csrf_token": token},
        )
        assert response.status_code == 200

        assert staff.login(email="admin@example.org", role="admin").status_code == 302
        for path in (
            "/en/staff/organisations?q=a%00b",
            "/en/staff/export?q=%00&status=%00&kind=%00",
        ):
            assert client.get(path).status_code == 200, path
        for path in ("edit", "history", "delete", "logo"):
            assert client.get(f"/en/staff/organisations/a%00b/{path}").status_code == 404, path
        for path in (
            "/en/staff/organisations/a%00b/edit",
            "/en/staff/organisations/a%00b/publish",
            "/en/staff/organisations/a%00b/verify",
            "/en/staff/moderation/a%00b/approve",
        ):
            assert staff.post(path).status_code == 404, path

        note = {"note": "Please add\x00 a phone number."}
        assert staff.post("/en/staff/moderation/loom-needle/send-back", note).status_code == 303
        reason = {"reason": "spam\x00"}
        assert staff.post("/en/staff/moderation/loom-needle/reject", reason).status_code == 303
        user = {
            "email": "new@example.org",
            "name": "New\x00 Editor",
            "role": "editor",
            "password": "a long enough password",
        }
        assert staff.post("/en/staff/users", user).status_code == 302

        with app.app_context():
            assert db.session.scalar(sa.select(Organisation).filter_by(slug="loom-needle")) is None
            details = set(db.session.scalars(sa.select(AuditEntry.detail)))
            assert "Please add a phone number." in details and "spam" in details
            assert db.session.scalar(sa.select(User.name).filter_by(email="new@example.org")) == (
                "New Editor"
            )

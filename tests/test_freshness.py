"""Verification and stale listings."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from cluster.extensions import db
from cluster.models import AuditEntry, User
from cluster.services import freshness
from tests.factories import find_org, make_org

NOW = datetime(2026, 6, 1, 12, 0)


@pytest.fixture
def editor(app):
    with app.app_context():
        user = User(email="editor@example.org", password_hash="x", role="editor")
        db.session.add(user)
        db.session.commit()
        return user.id


def test_marking_verified_records_who_and_when_but_not_an_update(app, editor):
    with app.app_context():
        org = make_org("Kalibr", commit=False)
        org.updated_at = datetime(2020, 1, 1)
        db.session.commit()
        version = org.version

        freshness.mark_verified(org, db.session.get(User, editor), when=NOW)
        db.session.commit()
        db.session.expire_all()

        org = find_org("kalibr")
        assert org.verified_at == NOW
        assert org.verified_by.email == "editor@example.org"
        assert org.updated_at == datetime(2020, 1, 1)
        assert org.version == version
        entry = db.session.scalar(sa.select(AuditEntry).filter_by(action="verify"))
        assert entry.target == "organisation:kalibr"
        assert entry.user_email == "editor@example.org"


def test_stale_lists_published_never_or_long_ago_checked_oldest_first(app):
    with app.app_context():
        make_org("Never", commit=False)
        make_org("Two Years", verified_at=NOW - timedelta(days=730), commit=False)
        make_org("Thirteen Months", verified_at=NOW - timedelta(days=400), commit=False)
        make_org("Last Month", verified_at=NOW - timedelta(days=30), commit=False)
        make_org("Draft Never", status="draft", commit=False)
        make_org("Archived Never", status="archived", commit=False)
        db.session.commit()

        stale = db.session.scalars(freshness.stale_query(NOW)).all()
        assert [org.slug for org in stale] == ["never", "two-years", "thirteen-months"]

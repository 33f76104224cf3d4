"""Verification and stale listings."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from cluster.extensions import db
from cluster.models import AuditEntry, Organisation, User
from cluster.services import freshness

NOW = datetime(2026, 6, 1, 12, 0)


def make_org(slug, status="published", verified_at=None):
    org = Organisation(
        slug=slug, name=slug.title(), kind="company", status=status, verified_at=verified_at
    )
    db.session.add(org)
    return org


@pytest.fixture
def editor(app):
    with app.app_context():
        user = User(email="editor@example.org", password_hash="x", role="editor")
        db.session.add(user)
        db.session.commit()
        return user.id


def test_marking_verified_records_who_and_when_but_not_an_update(app, editor):
    with app.app_context():
        org = make_org("kalibr")
        org.updated_at = datetime(2020, 1, 1)
        db.session.commit()
        version = org.version

        freshness.mark_verified(org, db.session.get(User, editor), when=NOW)
        db.session.commit()
        db.session.expire_all()

        org = db.session.scalar(sa.select(Organisation).filter_by(slug="kalibr"))
        assert org.verified_at == NOW
        assert org.verified_by.email == "editor@example.org"
        assert org.updated_at == datetime(2020, 1, 1)
        assert org.version == version
        entry = db.session.scalar(sa.select(AuditEntry).filter_by(action="verify"))
        assert entry.target == "organisation:kalibr"
        assert entry.user_email == "editor@example.org"


def test_stale_lists_published_never_or_long_ago_checked_oldest_first(app):
    with app.app_context():
        make_org("never")
        make_org("two-years", verified_at=NOW - timedelta(days=730))
        make_org("thirteen-months", verified_at=NOW - timedelta(days=400))
        make_org("last-month", verified_at=NOW - timedelta(days=30))
        make_org("draft-never", status="draft")
        make_org("archived-never", status="archived")
        db.session.commit()

        stale = db.session.scalars(freshness.stale_query(NOW)).all()
        assert [org.slug for org in stale] == ["never", "two-years", "thirteen-months"]

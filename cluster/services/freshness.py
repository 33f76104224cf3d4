"""Fresh listings: staff confirm an organisation's facts; unconfirmed for long means stale."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import Organisation, User, utcnow
from . import audit

# A listing nobody confirmed within this time is due for a check.
STALE_AFTER = timedelta(days=365)


def mark_verified(org: Organisation, user: User, when: datetime | None = None) -> datetime:
    """Record that user checked org's facts now (the caller commits); return the time recorded."""
    when = when or utcnow()
    # A plain UPDATE, not through the mapper: checking a listing changes no content, so it must
    # neither bump the version (an open edit form would turn stale) nor touch updated_at.
    db.session.execute(
        sa.update(Organisation)
        .where(Organisation.id == org.id)
        .values(
            verified_at=when,
            verified_by_id=user.id,
            updated_at=Organisation.updated_at,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire(org, ["verified_at", "verified_by_id", "verified_by"])
    audit.log("verify", org, _("Checked on %(date)s", date=when.strftime("%Y-%m-%d")), user=user)
    return when


def stale_before(now: datetime | None = None) -> datetime:
    """The moment before which a check counts as stale."""
    return (now or utcnow()) - STALE_AFTER


def stale_query(now: datetime | None = None) -> sa.Select:
    """Published organisations never checked, or last checked over a year ago; oldest first."""
    cutoff = stale_before(now)
    return (
        sa.select(Organisation)
        .where(
            Organisation.status == "published",
            sa.or_(Organisation.verified_at.is_(None), Organisation.verified_at < cutoff),
        )
        .order_by(
            Organisation.verified_at.is_not(None),
            Organisation.verified_at,
            Organisation.name,
        )
    )


def is_stale(org: Organisation, now: datetime | None = None) -> bool:
    """Whether a published organisation is due for a check."""
    return org.verified_at is None or org.verified_at < stale_before(now)


def stale_count(now: datetime | None = None) -> int:
    """How many published organisations are due for a check."""
    counted = stale_query(now).order_by(None).with_only_columns(sa.func.count(Organisation.id))
    return db.session.scalar(counted) or 0

"""Limits on failed staff logins, counted in the database so that every worker sees them.

Per address: an address with FAILURES failed logins within WINDOW may not try again until the
oldest of them is older than WINDOW. Per account: once an account has FAILURES failures within
WINDOW, from anywhere, the addresses that failed for it may not try it again meanwhile, but an
address that has not failed for it may: a guesser spread over many addresses cannot lock the
real user out, and each of their addresses gets one guess per window.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import LoginFailure, utcnow

FAILURES = 10
WINDOW = timedelta(minutes=15)


def _key(email: str) -> str:
    return (email or "").replace("\x00", "").strip().lower()[:254]


def _recent(*conditions) -> int:
    since = utcnow() - WINDOW
    query = sa.select(sa.func.count(LoginFailure.id)).where(
        LoginFailure.created_at > since, *conditions
    )
    return db.session.scalar(query) or 0


def refused(address: str, email: str) -> bool:
    """Whether a login from this address for this e-mail must wait, before any password check."""
    address = (address or "")[:64]
    if _recent(LoginFailure.address == address) >= FAILURES:
        return True
    email = _key(email)
    if _recent(LoginFailure.email == email, LoginFailure.address == address) == 0:
        return False
    return _recent(LoginFailure.email == email) >= FAILURES


def record_failure(address: str, email: str) -> None:
    """Count a failed login (the caller commits), forgetting failures older than the window."""
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.created_at <= utcnow() - WINDOW))
    db.session.add(LoginFailure(address=(address or "")[:64], email=_key(email)))


def forget(address: str, email: str) -> None:
    """After a successful login, its address's failures for that account no longer count."""
    db.session.execute(
        sa.delete(LoginFailure).where(
            LoginFailure.address == (address or "")[:64], LoginFailure.email == _key(email)
        )
    )

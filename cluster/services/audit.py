"""The audit log: who did what to which listing or account, and when."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user

from ..extensions import db
from ..models import AuditEntry, Organisation, User
from .directory import Page

# Typed text goes in (a failed login's e-mail, a note, a file name): a line break in it would
# start a forged entry wherever the log is read or copied line by line, and PostgreSQL refuses
# NUL. NUL goes; other control characters and Unicode line separators become one space.
CONTROL = re.compile(r"[\x01-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """The text on one line: NUL removed, each run of control characters one space."""
    return CONTROL.sub(" ", text.replace("\x00", "")).strip()


def log(action: str, target=None, detail: str = "", user: User | None = None) -> AuditEntry:
    """Add an audit entry (the caller commits); target is an organisation, a user or a string."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()
    entry = AuditEntry(
        action=action,
        target=one_line(describe(target))[:200],
        detail=one_line(detail),
        user_id=user.id if user is not None else None,
        user_email=user.email if user is not None else "",
        ip=(request.remote_addr or "")[:64] if has_request_context() else "",
    )
    db.session.add(entry)
    return entry


def describe(target) -> str:
    if target is None:
        return ""
    if isinstance(target, Organisation):
        return f"organisation:{target.slug}"
    if isinstance(target, User):
        return f"user:{target.email}"
    return str(target)


def entries(page: int, per_page: int = 100) -> Page[AuditEntry]:
    """One page of the audit log, newest first."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    stmt = (
        sa.select(AuditEntry)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(
        items=list(db.session.scalars(stmt)), total=total, page=page, pages=pages, per_page=per_page
    )

"""Revisions: every save of an organisation, with each changed field, and restoring one."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import Organisation, Revision, User
from . import organisations


def diff(before: dict | None, after: dict) -> dict[str, list]:
    """Each field whose value differs, as {field: [old, new]} (old is None on creation)."""
    before = before or {}
    return {
        field: [before.get(field), value]
        for field, value in after.items()
        if not same(before.get(field), value)
    }


def is_empty(value) -> bool:
    return value is None or value == "" or value == []


def record(
    org: Organisation, user: User | None, action: str, before: dict | None, note: str = ""
) -> Revision | None:
    """Write a revision of what this save changed (flushing to learn the new version).

    Returns None when nothing changed, except for a creation or a deletion.
    """
    db.session.flush()
    after = organisations.snapshot(org)
    changes = diff(before, after)
    if not changes and action not in ("create", "delete"):
        return None
    revision = Revision(
        organisation_id=org.id,
        organisation_slug=org.slug,
        user_id=user.id if user is not None else None,
        version=org.version,
        action=action,
        changes=changes,
        snapshot=after,
        note=note,
    )
    db.session.add(revision)
    return revision


def history(org: Organisation) -> list[Revision]:
    """The organisation's revisions, newest first."""
    return list(
        db.session.scalars(
            sa.select(Revision)
            .where(Revision.organisation_id == org.id)
            .order_by(Revision.created_at.desc(), Revision.id.desc())
        )
    )


def at_version(org: Organisation, version: int) -> Revision | None:
    """The revision whose snapshot holds the organisation's fields as they were at this version.

    That is the last revision at or before the version: a save that writes no revision (a new
    logo) bumps the version without changing any field a revision records.
    """
    return db.session.scalar(
        sa.select(Revision)
        .where(Revision.organisation_id == org.id, Revision.version <= version)
        .order_by(Revision.version.desc(), Revision.id.desc())
        .limit(1)
    )


def restore(org: Organisation, revision: Revision, user: User | None) -> Revision | None:
    """Put the organisation back as it was after this revision; the restore is a new revision."""
    before = organisations.snapshot(org)
    organisations.apply_snapshot(org, revision.snapshot)
    organisations.touch(org)
    return record(org, user, "restore", before, note=f"Restored the version {revision.version}")


def display(value) -> str:
    """A stored value as one line of text for the history page."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(display(item) for item in value)
    if isinstance(value, dict):
        return " | ".join(display(item) for item in value.values() if not is_empty(item))
    return str(value)


def same(a, b) -> bool:
    """Equal, counting None, "" and [] as the same empty value."""
    return a == b or (is_empty(a) and is_empty(b))

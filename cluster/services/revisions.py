"""Revisions: every save of an organisation, with each changed field, and restoring one.

This module owns history: what a snapshot holds, writing revision rows (one or many, with one
flush) and putting a snapshot back. Other services call it; it calls none of them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from .. import fields
from ..extensions import db
from ..models import Organisation, Revision, Sector, User
from . import slugs

# Saves whose revision is written even when no field changed.
ALWAYS_RECORDED = ("create", "delete")


def snapshot(org: Organisation, copied: bool = True) -> dict[str, Any]:
    """Every field of the spec as plain JSON values (sectors as their slugs), copied unless
    the values are never changed in place (a new row written by a bulk insert)."""
    values: dict[str, Any] = {}
    for field in fields.FIELDS:
        if field.name == "sectors":
            values[field.name] = [sector.slug for sector in org.sectors]
        else:
            value = getattr(org, field.name)
            values[field.name] = copy.deepcopy(value) if copied else value
    return values


def apply_snapshot(org: Organisation, values: dict) -> None:
    """Set the fields a snapshot holds; a slug taken meanwhile by another listing is kept as is."""
    # Look everything up before changing anything, so no autoflush writes half a change.
    wanted = list(values.get("sectors") or [])
    found = {
        sector.slug: sector
        for sector in db.session.scalars(sa.select(Sector).where(Sector.slug.in_(wanted)))
    }
    keep_slug = not values.get("slug") or slugs.taken(values["slug"], org)
    for name, value in values.items():
        if name not in fields.BY_NAME or (name == "slug" and keep_slug):
            continue
        if name == "sectors":
            org.sectors = [found[slug] for slug in wanted if slug in found]
        else:
            setattr(org, name, copy.deepcopy(value))


def same(a, b) -> bool:
    """Equal, counting None, "" and [] as the same empty value."""
    return a == b or (fields.is_empty(a) and fields.is_empty(b))


def diff(before: dict | None, after: dict | None) -> dict[str, list]:
    """Each field whose value differs, as {field: [old, new]} (None for the side that is not)."""
    before, after = before or {}, after or {}
    if not before:
        # A creation: every field it was given, the common case of a large import.
        return {name: [None, value] for name, value in after.items() if not fields.is_empty(value)}
    return {
        name: [before.get(name), after.get(name)]
        for name in dict.fromkeys([*before, *after])
        if not same(before.get(name), after.get(name))
    }


def revision_values(
    org, user_id, action: str, before: dict | None, note: str, copied: bool = True
) -> dict[str, Any] | None:
    """The columns of a revision of this save (for a bulk insert), or None if nothing changed;
    `copied` as for snapshot."""
    deleted = action == "delete"
    after = None if deleted else snapshot(org, copied)
    changes = diff(before, after)
    if not changes and action not in ALWAYS_RECORDED:
        return None
    return {
        # A deletion's history outlives the row, so it points at no organisation.
        "organisation_id": None if deleted else org.id,
        "organisation_slug": org.slug,
        "user_id": user_id,
        "version": org.version,
        "action": action,
        "changes": changes,
        "snapshot": before if deleted else after,
        "note": note,
    }


def _revision(org, user_id, action: str, before: dict | None, note: str) -> Revision | None:
    values = revision_values(org, user_id, action, before, note)
    return None if values is None else Revision(**values)


def record(
    org: Organisation, user: User | None, action: str, before: dict | None, note: str = ""
) -> Revision | None:
    """Write a revision of what this save changed (flushing to learn the new version).

    `before` is the snapshot taken before the change (None on creation). Returns None when
    nothing changed, except for a creation or a deletion, which are always recorded.
    """
    db.session.flush()
    revision = _revision(org, getattr(user, "id", None), action, before, note)
    if revision is not None:
        db.session.add(revision)
    return revision


def record_many(
    saved: Iterable[tuple[Organisation, dict | None]], user: User | None, action: str, note: str
) -> list[Revision]:
    """A revision for each (organisation, snapshot before) pair, with one flush for them all.

    A new organisation (before None) gets a "create" revision. Flushing once per organisation
    would make a 10,000-row import crawl as the session grows.
    """
    saved = list(saved)
    db.session.flush()
    user_id = getattr(user, "id", None)
    found = [
        _revision(org, user_id, "create" if before is None else action, before, note)
        for org, before in saved
    ]
    revisions = [revision for revision in found if revision is not None]
    db.session.add_all(revisions)
    return revisions


def detach_history(org: Organisation) -> None:
    """Keep the organisation's revisions when its row is deleted, no longer linked to it."""
    # SQLite does not enforce ON DELETE SET NULL unless foreign keys are switched on.
    db.session.execute(
        sa.update(Revision).where(Revision.organisation_id == org.id).values(organisation_id=None)
    )


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


def display(value) -> str:
    """A stored value as one line of text for the history page."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(display(item) for item in value)
    if isinstance(value, dict):
        return " | ".join(display(item) for item in value.values() if not fields.is_empty(item))
    return str(value)

"""Test data made through the model: organisations with sensible defaults, and look-ups."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import sqlalchemy as sa

from cluster.extensions import db
from cluster.models import Organisation, Sector
from cluster.services import matchmaking
from cluster.services.slugs import slugify_name

# How many one_commit() blocks are open: inside one, make_org leaves the commit to the block.
_deferred = 0


@contextmanager
def one_commit() -> Iterator[None]:
    """Commit the organisations made inside together on leaving, as an import does.

    Each commit also writes the search index: one write for a fixture's whole directory
    instead of one an organisation.
    """
    global _deferred
    _deferred += 1
    try:
        yield
    finally:
        _deferred -= 1
    db.session.commit()


def make_org(name: str, *, sectors=(), commit=True, **fields) -> Organisation:
    """Add a published company to the current app context's session and (by default) commit it.

    The slug is derived from the name as the app derives it, unless given; sector slugs become
    the Sector rows loaded from data/sectors.json. Any other column can be passed as a keyword.
    """
    fields.setdefault("slug", slugify_name(name) or "organisation")
    fields.setdefault("kind", "company")
    fields.setdefault("status", "published")
    org = Organisation(name=name, **fields)
    # As every save does: what it offers and needs, read from its text (plus any given).
    chosen = {key: fields[key] for key in matchmaking.SOURCES if key in fields}
    matchmaking.refresh(org, chosen)
    if sectors:
        found = list(db.session.scalars(sa.select(Sector).where(Sector.slug.in_(sectors))))
        # A mistyped sector would otherwise leave the organisation quietly without it.
        unknown = set(sectors) - {sector.slug for sector in found}
        if unknown:
            raise ValueError(f"no such sectors: {', '.join(sorted(unknown))}")
        org.sectors = found
    db.session.add(org)
    if commit and not _deferred:
        db.session.commit()
    return org


def make_startup(name: str, **fields) -> Organisation:
    """make_org with a startup by default, as most search cases need."""
    return make_org(name, **{"kind": "startup", **fields})


def find_org(slug: str, *, app=None) -> Organisation | None:
    """The organisation with this slug, or None.

    Given an app, the look-up runs in an app context of its own (for checks between client
    requests) and the row comes back detached, with its columns loaded.
    """
    with _context(app):
        return db.session.scalar(sa.select(Organisation).filter_by(slug=slug))


def count_orgs(*, app=None) -> int:
    """How many organisations are stored, in any status; app as for find_org."""
    with _context(app):
        return db.session.scalar(sa.select(sa.func.count(Organisation.id)))


def _context(app):
    # Without an app the caller is already inside one; pushing another would hide its session.
    return app.app_context() if app is not None else nullcontext()

"""Rebuild the index from the database and report where the two disagree."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import orm

from ..extensions import db
from ..models import Organisation
from . import backend
from .sync import update_index

BATCH = 500


@dataclass
class Differences:
    """Where the index and the database disagree, by organisation id."""

    missing: list[int] = field(default_factory=list)  # in the database, not in the index
    extra: list[int] = field(default_factory=list)  # in the index, not in the database
    # id -> (version in the database, version in the index)
    stale: dict[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def agree(self) -> bool:
        return not (self.missing or self.extra or self.stale)


def organisation_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) or 0


def all_organisations() -> Iterator[Organisation]:
    """Every organisation with its sectors, loaded in batches to keep memory flat."""
    last_id = 0
    while True:
        batch = db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.id > last_id)
            .order_by(Organisation.id)
            .limit(BATCH)
            .options(orm.selectinload(Organisation.sectors))
        ).all()
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id
        db.session.expunge_all()


def check() -> Differences:
    """Compare every organisation's id and version in the database with the index."""
    in_db = dict(db.session.execute(sa.select(Organisation.id, Organisation.version)).all())
    in_index = backend().indexed_versions()
    return Differences(
        missing=sorted(set(in_db) - set(in_index)),
        extra=sorted(set(in_index) - set(in_db)),
        stale={
            org_id: (version, in_index[org_id])
            for org_id, version in sorted(in_db.items())
            if org_id in in_index and in_index[org_id] != version
        },
    )


def repair(differences: Differences) -> None:
    """Index what is missing or stale and drop what no longer exists."""
    ids = set(differences.missing) | set(differences.stale) | set(differences.extra)
    if ids:
        update_index(backend(), ids)


def reindex(progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the database while search stays online; return the count.

    Organisations saved while the rebuild ran are caught up afterwards, so nothing committed
    during a long rebuild is lost. `progress` receives the running total indexed so far.
    """
    count = backend().rebuild(all_organisations(), progress)
    db.session.rollback()
    repair(check())
    return count

"""Rebuild the index from the database and report where the two disagree."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy import orm

from ..extensions import db
from ..models import Organisation, Sector, organisation_sectors
from . import backend, documents
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


def organisation_rows() -> Iterator[SimpleNamespace]:
    """Every organisation as documents.document reads it, without building ORM objects.

    A rebuild reads the whole table once: plain rows of the columns a document needs and one
    query for the batch's sector links are several times cheaper than mapped objects.
    """
    sectors = {
        row.id: SimpleNamespace(slug=row.slug, name=row.name, name_ru=row.name_ru)
        for row in db.session.execute(
            sa.select(Sector.id, Sector.slug, Sector.name, Sector.name_ru)
        )
    }
    columns = [getattr(Organisation, name) for name in documents.COLUMNS]
    links = organisation_sectors.c
    last_id = 0
    while True:
        rows = db.session.execute(
            sa.select(*columns)
            .where(Organisation.id > last_id)
            .order_by(Organisation.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        by_org: dict[int, list] = {}
        # Sectors in the order the Organisation.sectors relationship gives them.
        for org_id, sector_id in db.session.execute(
            sa.select(links.organisation_id, links.sector_id)
            .join(Sector, Sector.id == links.sector_id)
            .where(links.organisation_id.between(rows[0].id, rows[-1].id))
            .order_by(links.organisation_id, Sector.position)
        ):
            by_org.setdefault(org_id, []).append(sectors[sector_id])
        for row in rows:
            yield SimpleNamespace(**row._asdict(), sectors=by_org.get(row.id, []))
        last_id = rows[-1].id


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
    count = backend().rebuild(organisation_rows(), progress)
    db.session.rollback()
    backend().reclaim()
    repair(check())
    return count

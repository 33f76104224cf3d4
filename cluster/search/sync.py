"""Keep the index in step with the database: collect changed ids at flush, index after commit.

Ids are collected in `after_flush`, so rows flushed early (autoflush, an explicit flush) are
not missed, and written to the index in `after_commit`, when the change is certain. The index
is loaded from the committed rows in one batch, with a session of its own: the committing
session cannot run SQL inside its after_commit hook.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy import orm

from ..extensions import db, listen_to_session
from ..models import Organisation, Sector, organisation_sectors

# session.info keys
CHANGED = "search_changed_organisations"
CHANGED_SECTORS = "search_changed_sectors"


def _pending(session, key: str) -> set[int]:
    return session.info.setdefault(key, set())


def after_flush(session, flush_context) -> None:
    """Note every organisation (and sector) the flush created, changed or deleted."""
    changed = _pending(session, CHANGED)
    sectors = _pending(session, CHANGED_SECTORS)
    for obj in itertools.chain(session.new, session.deleted):
        if isinstance(obj, Organisation) and obj.id is not None:
            changed.add(obj.id)
    # session.dirty also lists objects whose attributes were set to the values they had.
    for obj in session.dirty:
        if isinstance(obj, Organisation) and session.is_modified(obj):
            changed.add(obj.id)
        elif isinstance(obj, Sector) and _renamed(obj):
            sectors.add(obj.id)


def _renamed(sector: Sector) -> bool:
    state: orm.InstanceState = sa.inspect(sector)
    return any(state.attrs[name].history.has_changes() for name in ("slug", "name", "name_ru"))


def after_commit(session) -> None:
    """Write the collected changes to the index; a failure is logged, never raised."""
    changed = session.info.pop(CHANGED, set())
    sectors = session.info.pop(CHANGED_SECTORS, set())
    if not (changed or sectors):
        return
    try:
        update_index(current_app.extensions["search"], changed, sectors)
    except Exception:
        # The app's logger: Alembic's logging setup disables module loggers created before it.
        current_app.logger.exception(
            "The search index could not be updated for organisations %s; "
            "run `flask search-check` and `flask reindex`",
            sorted(changed),
        )


def after_rollback(session, previous_transaction) -> None:
    """Forget what the rolled-back transaction changed (savepoints keep the outer changes)."""
    if previous_transaction.parent is None:
        session.info.pop(CHANGED, None)
        session.info.pop(CHANGED_SECTORS, None)


def load_organisations(ids: Iterable[int], sector_ids: Iterable[int] = ()):
    """The committed organisations with these ids (or in these sectors), and the ids gone."""
    ids = set(ids)
    with orm.Session(db.engine) as session:
        sector_ids = list(sector_ids)
        if sector_ids:
            ids.update(
                session.scalars(
                    sa.select(organisation_sectors.c.organisation_id).where(
                        organisation_sectors.c.sector_id.in_(sector_ids)
                    )
                )
            )
        if not ids:
            return [], set()
        orgs = session.scalars(
            sa.select(Organisation)
            .where(Organisation.id.in_(ids))
            .options(orm.selectinload(Organisation.sectors))
        ).all()
        # Loaded, so the organisations stay readable once this session closes.
        return orgs, ids - {org.id for org in orgs}


def update_index(search, ids: Iterable[int], sector_ids: Iterable[int] = ()) -> None:
    """Index the committed state of these organisations; drop the ones that no longer exist."""
    orgs, missing = load_organisations(ids, sector_ids)
    if orgs:
        search.index(orgs)
    if missing:
        search.remove(missing)


def init_app(app: Flask) -> None:
    # The hooks find the right index through current_app when they run.
    listen_to_session(
        after_flush=after_flush, after_commit=after_commit, after_soft_rollback=after_rollback
    )

"""Published startups and investors as arrays: the investor view and the focus matches read them.

One query per table builds them; NumPy then filters, matches and sorts any number of rows in a
few milliseconds, so no page reads every startup from the database or loops over them in Python.
They are rebuilt when a commit in this process changed an organisation (sync hooks below), and
at most every FUNDING_CHECK_SECONDS another process's changes are noticed through a fingerprint
(the search index's version and the newest update time).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa
from flask import Flask, current_app

from .. import search
from ..extensions import db, listen_to_session
from ..models import STAGES, Organisation, Sector, organisation_sectors
from ..search.arrays import FacetColumn, positions
from . import rates

# Sector slugs of one row joined by this, for FacetColumn.from_keys.
SEPARATOR = "\x1f"
# session.info key: a flush wrote an organisation, so the arrays are stale after the commit.
CHANGED = "funding_arrays_stale"


@dataclass
class Startups:
    """Published startups in id order: stage, sectors, funding sought in roubles, recency."""

    ids: np.ndarray
    stages: FacetColumn
    sectors: FacetColumn
    # Funding sought in the rates' base currency; NaN without an amount or a known currency.
    amounts: np.ndarray
    # Each row's place from the newest (0) to the oldest.
    newest: np.ndarray
    # Each row's stage as its place in STAGES; len(STAGES) without a stage.
    stage_rank: np.ndarray


@dataclass
class Investors:
    """Published investors in id order: focus sectors, focus stages and ticket in roubles."""

    ids: np.ndarray
    sectors: FacetColumn
    # Bit i set: invests at STAGES[i]; 0: at any stage.
    stage_bits: np.ndarray
    # The ticket in the base currency: -inf and +inf where a bound is not given.
    low: np.ndarray
    high: np.ndarray
    # Rows naming no sector: their focus is every sector.
    any_sector: np.ndarray


@dataclass
class Arrays:
    startups: Startups
    investors: Investors
    rates: rates.Rates


def _sector_keys(kind: str) -> dict[int, str]:
    """Each published organisation of a kind with its sector slugs joined: one query."""
    # Core rows from the session's connection: the ORM's result handling doubled the time.
    rows = db.session.connection().execute(
        sa.select(organisation_sectors.c.organisation_id, Sector.slug)
        .join(Sector, Sector.id == organisation_sectors.c.sector_id)
        .join(Organisation, Organisation.id == organisation_sectors.c.organisation_id)
        .where(Organisation.kind == kind, Organisation.status == "published")
    )
    found: dict[int, list[str]] = {}
    for org_id, slug in rows:
        found.setdefault(org_id, []).append(slug)
    return {org_id: SEPARATOR.join(sorted(slugs)) for org_id, slugs in found.items()}


def _published(kind: str, *names: str) -> tuple[Sequence[sa.Row], np.ndarray, list[str]]:
    """The published organisations of a kind in id order: their rows (the id, then the columns
    named), their ids, and each one's sector slugs joined (for FacetColumn.from_keys): two
    queries."""
    columns = [getattr(Organisation, name) for name in names]
    rows = (
        db.session.connection()
        .execute(
            sa.select(Organisation.id, *columns)
            .where(Organisation.kind == kind, Organisation.status == "published")
            .order_by(Organisation.id)
        )
        .all()
    )
    sectors = _sector_keys(kind)
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    return rows, ids, [sectors.get(row[0], "") for row in rows]


def _amount(table: rates.Rates, amount, currency: str, missing: float) -> float:
    converted = table.convert(amount, currency or "")
    return missing if converted is None else converted


def load_startups(table: rates.Rates) -> Startups:
    """The published startups as arrays: two queries."""
    rows, ids, keys = _published(
        "startup", "stage", "funding_sought", "currency", "published_at", "created_at"
    )
    stage_rank = {stage: rank for rank, stage in enumerate(STAGES)}

    def listed(i: int) -> tuple:
        # Newest first, then the higher id: the order of the directory's "newest".
        return (rows[i].published_at or rows[i].created_at, rows[i].id)

    order = sorted(range(len(rows)), key=listed, reverse=True)
    return Startups(
        ids=ids,
        stages=FacetColumn.from_keys([row.stage or "" for row in rows]),
        sectors=FacetColumn.from_keys(keys, SEPARATOR),
        amounts=np.array(
            [_amount(table, r.funding_sought, r.currency, np.nan) for r in rows], dtype=np.float64
        ),
        newest=positions(np.array(order, dtype=np.int64)),
        stage_rank=np.array([stage_rank.get(r.stage or "", len(STAGES)) for r in rows], np.int64),
    )


def load_investors(table: rates.Rates) -> Investors:
    """The published investors as arrays: two queries."""
    rows, ids, keys = _published(
        "investor", "focus_stages", "ticket_min", "ticket_max", "ticket_currency"
    )
    bit = {stage: 1 << rank for rank, stage in enumerate(STAGES)}
    return Investors(
        ids=ids,
        sectors=FacetColumn.from_keys(keys, SEPARATOR),
        stage_bits=np.array(
            [sum(bit.get(stage, 0) for stage in set(row.focus_stages or ())) for row in rows],
            np.int64,
        ),
        low=np.array(
            [_amount(table, r.ticket_min, r.ticket_currency, -np.inf) for r in rows], np.float64
        ),
        high=np.array(
            [_amount(table, r.ticket_max, r.ticket_currency, np.inf) for r in rows], np.float64
        ),
        any_sector=np.array([not key for key in keys], dtype=bool),
    )


def _fingerprint() -> tuple:
    """What changes when an organisation is added, changed (published, unpublished) or removed.

    The search index's version, which every process's commits move (the index follows the
    database after each commit, bulk paths included), and the newest update time, an index
    look-up that also sees a change written around the ORM.
    """
    try:
        version = search.backend().version()
    except Exception:
        current_app.logger.exception("The search index's version is unavailable")
        version = None
    newest = db.session.scalar(sa.select(sa.func.max(Organisation.updated_at)))
    return version, newest


class Holder:
    """One process's arrays, the fingerprint they were built at, and when it was last read."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrays: Arrays | None = None
        self.fingerprint: tuple | None = None
        self.checked = 0.0

    def forget(self) -> None:
        """Build the arrays again on the next request."""
        with self.lock:
            self.arrays = None


def current() -> Arrays:
    """The arrays of the committed startups and investors, built again when they changed."""
    holder: Holder = current_app.extensions["funding"]
    wait = current_app.config["FUNDING_CHECK_SECONDS"]
    now = time.monotonic()
    arrays = holder.arrays
    if arrays is not None and now - holder.checked < wait:
        return arrays
    fingerprint = _fingerprint()
    if arrays is not None and fingerprint == holder.fingerprint:
        holder.checked = now
        return arrays
    table = rates.current()
    arrays = Arrays(load_startups(table), load_investors(table), table)
    with holder.lock:
        holder.arrays, holder.fingerprint, holder.checked = arrays, fingerprint, now
    return arrays


def after_flush(session, flush_context) -> None:
    """Note that this transaction wrote an organisation."""
    objects = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, Organisation) for obj in objects):
        session.info[CHANGED] = True


def after_commit(session) -> None:
    """Drop this process's arrays when the commit changed an organisation."""
    if session.info.pop(CHANGED, False):
        holder = current_app.extensions.get("funding")
        if holder is not None:
            holder.forget()


def after_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(CHANGED, None)


def init_app(app: Flask) -> None:
    app.extensions["funding"] = Holder()
    listen_to_session(
        after_flush=after_flush, after_commit=after_commit, after_soft_rollback=after_rollback
    )

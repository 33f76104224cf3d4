"""Investors and startups that fit each other, and the investor view's list of startups.

An investor's focus is its sectors, the stages it invests at (none named: any) and its ticket
size. A startup fits when it shares a sector (an investor naming none takes every sector), is at
one of those stages, and seeks an amount inside the ticket once both are in roubles (a startup
naming no amount, or one in a currency the rates table lacks, is not held to the ticket).
Everything is computed on the arrays of services/funding.py; only the rows shown are loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import STAGES, Organisation
from . import funding

# Organisations shown in a profile's block; the rest are a link away.
SHOWN = 6
SORTS = ("amount", "amount_asc", "newest", "stage")


@dataclass
class Matches:
    """Some of the organisations that fit, and how many fit in all."""

    items: list[Organisation]
    total: int
    # For an investor: the investor view's arguments listing its whole focus.
    list_args: dict[str, list[str] | str] = field(default_factory=dict)


def _stage_bit(stage: str | None) -> int:
    return 1 << STAGES.index(stage) if stage in STAGES else 0


def _rows_of(ids: np.ndarray, org_id: int) -> np.ndarray:
    """The row of an id in an id-ordered array (an empty array when it is not there)."""
    row = np.searchsorted(ids, org_id)
    return np.array([row]) if row < len(ids) and ids[row] == org_id else np.array([], int)


def startups_fitting(arrays: funding.Arrays, investor_row: int) -> np.ndarray:
    """A row mask of the startups in one investor's focus."""
    startups, investors = arrays.startups, arrays.investors
    mask = np.ones(len(startups.ids), dtype=bool)
    if not investors.any_sector[investor_row]:
        column = investors.sectors
        held = column.matrix[column.codes[investor_row]] if column.matrix is not None else ()
        wanted = [value for value, has in zip(column.values, held, strict=True) if has]
        mask &= startups.sectors.having(wanted)
    bits = int(investors.stage_bits[investor_row])
    if bits:
        wanted_stages = [stage for rank, stage in enumerate(STAGES) if bits & (1 << rank)]
        mask &= startups.stages.having(wanted_stages)
    low, high = investors.low[investor_row], investors.high[investor_row]
    amounts = startups.amounts
    with np.errstate(invalid="ignore"):
        mask &= np.isnan(amounts) | ((amounts >= low) & (amounts <= high))
    return mask


def investors_fitting(arrays: funding.Arrays, org: Organisation) -> np.ndarray:
    """A row mask of the investors whose focus a startup fits."""
    investors = arrays.investors
    mask = investors.any_sector | investors.sectors.having(s.slug for s in org.sectors)
    bit = _stage_bit(org.stage)
    mask &= (investors.stage_bits == 0) | ((investors.stage_bits & bit) != 0)
    amount = arrays.rates.convert(org.funding_sought, org.currency or "")
    if amount is not None:
        mask &= (investors.low <= amount) & (amount <= investors.high)
    return mask


def load(ids: Sequence[int] | np.ndarray) -> list[Organisation]:
    """These organisations with their sectors, in this order: two queries."""
    if not len(ids):
        return []
    wanted = [int(i) for i in ids]
    rows = db.session.scalars(
        sa.select(Organisation)
        .where(Organisation.id.in_(wanted))
        .options(selectinload(Organisation.sectors))
    )
    by_id = {org.id: org for org in rows}
    return [by_id[i] for i in wanted if i in by_id and by_id[i].is_public]


def focus_of(org: Organisation) -> Matches | None:
    """For an investor, the startups in its focus; for a startup, the investors it fits."""
    if org.kind not in ("investor", "startup") or not org.is_public:
        return None
    arrays = funding.current()
    if org.kind == "investor":
        rows = _rows_of(arrays.investors.ids, org.id)
        if not len(rows):
            return Matches([], 0)
        mask = startups_fitting(arrays, int(rows[0]))
        found = np.flatnonzero(mask)
        # Newest first.
        shown = found[np.argsort(arrays.startups.newest[found], kind="stable")][:SHOWN]
        shown_orgs = load(arrays.startups.ids[shown])
        return Matches(shown_orgs, int(len(found)), list_filters(org, arrays))
    mask = investors_fitting(arrays, org)
    found = np.flatnonzero(mask)
    return Matches(load(arrays.investors.ids[found[:SHOWN]]), int(len(found)))


def list_filters(investor: Organisation, arrays: funding.Arrays) -> dict[str, list[str] | str]:
    """The investor view's arguments that list an investor's focus, as near as they go."""
    args: dict[str, list[str] | str] = {
        "sector": [sector.slug for sector in investor.sectors],
        "stage": [stage for stage in investor.focus_stages or () if stage in STAGES],
    }
    for name, value in (("from", investor.ticket_min), ("to", investor.ticket_max)):
        converted = arrays.rates.convert(value, investor.ticket_currency or "")
        if converted is not None:
            args[name] = str(round(converted))
    return args


# The investor view ----------------------------------------------------------------------------


@dataclass
class StartupQuery:
    sectors: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    # A range of funding sought, in the rates' base currency; None: open.
    low: int | None = None
    high: int | None = None
    sort: str = "amount"
    page: int = 1
    per_page: int = 20


@dataclass
class StartupList:
    rows: np.ndarray
    total: int
    page: int
    pages: int
    # Sector -> how many startups of the list (before the sector filter) are in it; the same
    # for stages.
    sector_counts: dict[str, int]
    stage_counts: dict[str, int]


def _ordered(arrays: funding.Arrays, rows: np.ndarray, sort: str) -> np.ndarray:
    startups = arrays.startups
    # Rows without a comparable amount come last in an amount order; ties go newest first.
    amounts = startups.amounts[rows]
    missing = np.isnan(amounts)
    newest = startups.newest[rows]
    if sort == "newest":
        keys: tuple = (newest,)
    elif sort == "stage":
        keys = (newest, -np.nan_to_num(amounts, nan=-1.0), startups.stage_rank[rows])
    elif sort == "amount_asc":
        keys = (newest, np.nan_to_num(amounts, nan=0.0), missing)
    else:
        keys = (newest, -np.nan_to_num(amounts, nan=0.0), missing)
    return rows[np.lexsort(keys)]


def _matching(query: StartupQuery, arrays: funding.Arrays) -> tuple[np.ndarray, ...]:
    """The rows passing the range, the sector and the stage filters (each mask apart)."""
    startups = arrays.startups
    everything = np.ones(len(startups.ids), dtype=bool)
    amounts = startups.amounts
    in_range = everything.copy()
    with np.errstate(invalid="ignore"):
        if query.low is not None:
            in_range &= amounts >= query.low
        if query.high is not None:
            in_range &= amounts <= query.high
    by_sector = startups.sectors.having(query.sectors) if query.sectors else everything
    by_stage = startups.stages.having(query.stages) if query.stages else everything
    return in_range, by_sector, by_stage


def list_startups(query: StartupQuery) -> tuple[StartupList, funding.Arrays]:
    """One page of published startups matching the filters, in the chosen order."""
    arrays = funding.current()
    in_range, by_sector, by_stage = _matching(query, arrays)
    rows = _ordered(arrays, np.flatnonzero(in_range & by_sector & by_stage), query.sort)
    total = len(rows)
    pages = max(1, -(-total // query.per_page))
    page = min(query.page, pages)
    start = (page - 1) * query.per_page
    listed = StartupList(
        rows=rows[start : start + query.per_page],
        total=total,
        page=page,
        pages=pages,
        sector_counts=arrays.startups.sectors.counts(in_range & by_stage),
        stage_counts=arrays.startups.stages.counts(in_range & by_sector),
    )
    return listed, arrays


def all_rows(query: StartupQuery) -> tuple[np.ndarray, funding.Arrays]:
    """Every row of the list in its order, for a download."""
    arrays = funding.current()
    in_range, by_sector, by_stage = _matching(query, arrays)
    return _ordered(arrays, np.flatnonzero(in_range & by_sector & by_stage), query.sort), arrays

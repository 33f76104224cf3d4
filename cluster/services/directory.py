"""The public directory's arguments and look-ups: filters and pages read from a URL, an
organisation by slug, the sectors; pages of rows for the staff lists (browsing.py lists the
public ones through the search engine)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import KINDS, LOOKING_FOR, RESIDENCIES, STAGES, Organisation, Sector
from ..search import FACETS

T = TypeVar("T")

# The directory filters by every facet of the search page.
FILTERS = FACETS
# Filters whose values are a closed list: anything else is dropped rather than match nothing.
CHOICES = {"kind": KINDS, "residency": RESIDENCIES, "stage": STAGES, "looking_for": LOOKING_FOR}
SORTS = ("name", "newest")
# Longer values cannot match anything we store; cutting them keeps queries small.
MAX_VALUE_LENGTH = 120
MAX_VALUES_PER_FILTER = 20
# Far beyond any real directory, but small enough that OFFSET stays cheap.
MAX_PAGE = 10_000


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        """Position of the first item on this page, counting from 1 (0 when empty)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.per_page + len(self.items)


@dataclass
class DirectoryQuery:
    # {"kind": ["startup"], "sector": ["textile", "design"]}: OR within a filter, AND across.
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "name"
    page: int = 1

    @property
    def active(self) -> bool:
        return any(self.filters.values())


def parse_page(value: str | None) -> int:
    """Read a page number; anything that is not a positive whole number means page 1."""
    if not value or len(value) > 6 or not value.isdigit():
        return 1
    return max(1, min(int(value), MAX_PAGE))


def parse_query(args: Mapping) -> DirectoryQuery:
    """Turn query arguments into a directory query, dropping values that cannot match."""
    filters: dict[str, list[str]] = {}
    for name in FILTERS:
        values: list[str] = []
        for raw in args.getlist(name) if hasattr(args, "getlist") else [args.get(name)]:
            value = (raw or "").strip()
            # PostgreSQL refuses NUL in text, and no stored value holds one.
            if not value or len(value) > MAX_VALUE_LENGTH or "\x00" in value or value in values:
                continue
            if name in CHOICES and value not in CHOICES[name]:
                continue
            values.append(value)
        if values:
            filters[name] = values[:MAX_VALUES_PER_FILTER]
    sort = str(args.get("sort")) if args.get("sort") in SORTS else "name"
    return DirectoryQuery(filters=filters, sort=sort, page=parse_page(args.get("page")))


def paginate(stmt, page: int, per_page: int) -> Page[Organisation]:
    """Count with SQL, clamp the page into range, and load that page with its sectors."""
    per_page = max(1, per_page)
    counted = sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    total = db.session.scalar(counted) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    items = list(
        db.session.scalars(
            stmt.options(selectinload(Organisation.sectors))
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return Page(items=items, total=total, page=page, pages=pages, per_page=per_page)


def find_by_slug(slug: str) -> Organisation | None:
    """Any organisation with this slug, whatever its status; the caller decides who sees it."""
    if not slug or len(slug) > 120 or "\x00" in slug:
        return None
    # On PostgreSQL the sectors come in the same statement: a second round trip was a tenth
    # of a profile's SQL. SQLite has no round trip to save, and its planner materialises the
    # joined association table before it finds the organisation, a scan of every row (75 ms
    # of a profile at 100,000): there the sectors come by their index in a second statement.
    dialect = db.session.get_bind(Organisation).dialect.name
    loader = joinedload if dialect == "postgresql" else selectinload
    stmt = (
        sa.select(Organisation)
        .where(Organisation.slug == slug)
        .options(loader(Organisation.sectors))
    )
    return db.session.scalars(stmt).unique().first()


def find_sector(slug: str) -> Sector | None:
    if not slug or len(slug) > 64 or "\x00" in slug:
        return None
    return db.session.scalar(sa.select(Sector).where(Sector.slug == slug))


def all_sectors() -> list[Sector]:
    """Every sector of the taxonomy, in its order."""
    return list(db.session.scalars(sa.select(Sector).order_by(Sector.position, Sector.name)))


def sector_names() -> list[tuple[str, str, str]]:
    """Every sector's slug, English name and Russian name, in the taxonomy's order.

    Three columns rather than the sectors: every search page and API answer names them, and
    loading the sectors as objects was a fifth of an API search's time.
    """
    query = sa.select(Sector.slug, Sector.name, Sector.name_ru)
    rows = db.session.execute(query.order_by(Sector.position, Sector.name))
    return [(slug, name, name_ru) for slug, name, name_ru in rows]

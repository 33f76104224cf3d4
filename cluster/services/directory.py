"""Reading the public directory: filtered, sorted, paginated lists of published organisations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import KINDS, RESIDENCIES, Organisation, Sector, organisation_sectors

T = TypeVar("T")

FILTERS = ("kind", "residency", "sector", "city")
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
            if name == "kind" and value not in KINDS:
                continue
            if name == "residency" and value not in RESIDENCIES:
                continue
            values.append(value)
        if values:
            filters[name] = values[:MAX_VALUES_PER_FILTER]
    sort = str(args.get("sort")) if args.get("sort") in SORTS else "name"
    return DirectoryQuery(filters=filters, sort=sort, page=parse_page(args.get("page")))


def published():
    """The base query of everything the public may see."""
    return sa.select(Organisation).where(Organisation.status == "published")


def apply_filters(stmt, filters: Mapping[str, Sequence[str]]):
    """Narrow a select of organisations: OR within one filter, AND across filters."""
    if filters.get("kind"):
        stmt = stmt.where(Organisation.kind.in_(filters["kind"]))
    if filters.get("residency"):
        stmt = stmt.where(Organisation.residency.in_(filters["residency"]))
    if filters.get("sector"):
        stmt = stmt.where(Organisation.sectors.any(Sector.slug.in_(filters["sector"])))
    if filters.get("city"):
        # Exact values come from the filter form; the lower-case match forgives hand-typed URLs
        # (SQLite lowers ASCII only, hence both).
        cities = filters["city"]
        stmt = stmt.where(
            sa.or_(
                Organisation.city.in_(cities),
                sa.func.lower(Organisation.city).in_([city.lower() for city in cities]),
            )
        )
    return stmt


def order(stmt, sort: str):
    if sort == "newest":
        newest_first = sa.func.coalesce(Organisation.published_at, Organisation.created_at).desc()
        return stmt.order_by(newest_first, Organisation.id.desc())
    return stmt.order_by(sa.func.lower(Organisation.name), Organisation.id)


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


def list_organisations(query: DirectoryQuery, per_page: int) -> Page[Organisation]:
    """The directory: published organisations matching the query, one page of them."""
    stmt = order(apply_filters(published(), query.filters), query.sort)
    return paginate(stmt, query.page, per_page)


def sector_organisations(sector: Sector, page: int, per_page: int) -> Page[Organisation]:
    """Published organisations in one sector, by name."""
    query = DirectoryQuery(filters={"sector": [sector.slug]}, page=page)
    return list_organisations(query, per_page)


def recently_added(limit: int = 6) -> list[Organisation]:
    """The newest published organisations."""
    stmt = order(published(), "newest").options(selectinload(Organisation.sectors)).limit(limit)
    return list(db.session.scalars(stmt))


def find_by_slug(slug: str) -> Organisation | None:
    """Any organisation with this slug, whatever its status; the caller decides who sees it."""
    if not slug or len(slug) > 120 or "\x00" in slug:
        return None
    stmt = (
        sa.select(Organisation)
        .where(Organisation.slug == slug)
        .options(selectinload(Organisation.sectors))
    )
    return db.session.scalar(stmt)


def find_sector(slug: str) -> Sector | None:
    if not slug or len(slug) > 64 or "\x00" in slug:
        return None
    return db.session.scalar(sa.select(Sector).where(Sector.slug == slug))


def all_sectors() -> list[Sector]:
    """Every sector of the taxonomy, in its order."""
    return list(db.session.scalars(sa.select(Sector).order_by(Sector.position, Sector.name)))


def count_published() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Organisation)
            .where(Organisation.status == "published")
        )
        or 0
    )


def _published_counts(column, values: Sequence[str]) -> dict[str, int]:
    """Published organisations per value of a column, in the order given (zeros left out)."""
    rows = db.session.execute(
        sa.select(column, sa.func.count())
        .where(Organisation.status == "published")
        .group_by(column)
    ).all()
    found = {value: count for value, count in rows}
    return {value: found[value] for value in values if found.get(value)}


def counts_by_kind() -> dict[str, int]:
    """Published organisations per kind, in the order of KINDS (kinds with none left out)."""
    return _published_counts(Organisation.kind, KINDS)


def counts_by_residency() -> dict[str, int]:
    """Published organisations per residency (resident, partner), none left out."""
    return _published_counts(Organisation.residency, RESIDENCIES)


def sectors_with_counts(include_empty: bool = True) -> list[tuple[Sector, int]]:
    """Every sector in taxonomy order with how many published organisations it holds."""
    published_links = (
        sa.select(organisation_sectors.c.sector_id, sa.func.count().label("n"))
        .join(Organisation, Organisation.id == organisation_sectors.c.organisation_id)
        .where(Organisation.status == "published")
        .group_by(organisation_sectors.c.sector_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Sector, sa.func.coalesce(published_links.c.n, 0))
        .outerjoin(published_links, published_links.c.sector_id == Sector.id)
        .order_by(Sector.position, Sector.name)
    ).all()
    return [(sector, count) for sector, count in rows if include_empty or count]


def cities_with_counts() -> list[tuple[str, int]]:
    """Cities of published organisations, most organisations first."""
    rows = db.session.execute(
        sa.select(Organisation.city, sa.func.count())
        .where(Organisation.status == "published", Organisation.city != "")
        .group_by(Organisation.city)
        .order_by(sa.func.count().desc(), Organisation.city)
    ).all()
    return [(city, count) for city, count in rows]

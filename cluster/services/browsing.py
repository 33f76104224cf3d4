"""Browsing the public directory through the search engine: the directory, sector pages and the
home page's numbers are searches without words, so every count comes from the engine's facet
arrays and follows the other filters exactly as on the search page.

Counting in SQL read every published row on each request (a second at 100,000 organisations);
the arrays count the same in a few milliseconds, and the page's rows are then loaded by id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .. import search
from ..models import KINDS, Organisation, Sector
from .directory import DirectoryQuery, Page, all_sectors

# The home page's "Recently added".
RECENT = 6


@dataclass
class Listing:
    """One page of published organisations and the facet counts beside it."""

    page: Page[Organisation]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def _search(filters: Mapping[str, list[str]], sort: str, page: int, per_page: int):
    query = search.SearchQuery(filters=dict(filters), sort=sort, page=page, per_page=per_page)
    return search.backend().search(query)


def _known_cities(filters: dict[str, list[str]], counts: Mapping[str, int]) -> dict:
    """The filters with each city written as the data writes it, whatever its letter case.

    Cities come from links and hand-typed addresses alike; the engines match values exactly.
    """
    # Most organisations first: the spelling most of them use wins (a chosen city that
    # matches nothing may be listed with 0).
    spelled: dict[str, str] = {}
    for city, count in counts.items():
        if count:
            spelled.setdefault(city.lower(), city)
    cities = [spelled.get(city.lower(), city) for city in filters["city"]]
    return {**filters, "city": list(dict.fromkeys(cities))}


def listing(query: DirectoryQuery, per_page: int) -> Listing:
    """The directory: published organisations matching the filters, one page, with counts."""
    filters = dict(query.filters)
    result = _search(filters, query.sort, query.page, per_page)
    if filters.get("city"):
        # Each facet is counted under the other facets' selections: these are every city.
        known = _known_cities(filters, result.facets.get("city", {}))
        if known != filters:
            query.filters = filters = known
            result = _search(filters, query.sort, query.page, per_page)
    if result.total and not result.hits and query.page > 1:
        # Past the last page: show the last one rather than nothing.
        result = _search(filters, query.sort, result.pages, per_page)
    return Listing(page=page_of(result), facets=result.facets)


def page_of(result: search.SearchResult) -> Page[Organisation]:
    """A result's organisations (sectors loaded) as a page of the directory."""
    items = [org for _, org in search.with_organisations(result.hits)]
    query = result.query
    page = min(query.page, result.pages)
    return Page(
        items=items,  # type: ignore[arg-type]
        total=result.total,
        page=page,
        pages=result.pages,
        per_page=query.per_page,
    )


def sector_listing(sector: Sector, page: int, per_page: int) -> Page[Organisation]:
    """Published organisations in one sector, by name."""
    query = DirectoryQuery(filters={"sector": [sector.slug]}, page=page)
    return listing(query, per_page).page


@dataclass
class Overview:
    """The home page's numbers and its newest organisations."""

    total: int
    kinds: dict[str, int]
    sectors: list[tuple[Sector, int]]
    recent: list[Organisation]


def overview() -> Overview:
    """How many are listed, of each kind and in each sector, and the newest: one search."""
    result = _search({}, "newest", 1, RECENT)
    kinds = result.facets.get("kind", {})
    return Overview(
        total=result.total,
        kinds={kind: kinds[kind] for kind in KINDS if kinds.get(kind)},
        sectors=sector_counts(result.facets, include_empty=False),
        recent=page_of(result).items,
    )


def sector_counts(
    facets: Mapping[str, Mapping[str, int]] | None = None, include_empty: bool = True
) -> list[tuple[Sector, int]]:
    """Every sector in taxonomy order with how many published organisations it holds."""
    if facets is None:
        facets = _search({}, "name", 1, 1).facets
    counts = facets.get("sector", {})
    found = [(sector, counts.get(sector.slug, 0)) for sector in all_sectors()]
    return [(sector, count) for sector, count in found if include_empty or count]

"""The cluster in numbers: published organisations by kind, sector and stage, and by month.

Counts come from the search engine's facet arrays (one search over everything published,
milliseconds at 100,000); months from one grouped query. Both are kept per app while the index
is unchanged, so the page costs a dictionary look-up most of the time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app

from .. import search
from ..extensions import db
from ..models import Organisation

# Months the growth chart shows at most; earlier publications count into its first total.
MONTHS_SHOWN = 36


@dataclass(frozen=True)
class Month:
    """One month of publication: how many were published in it and the total at its end."""

    start: date
    published: int
    total: int


@dataclass(frozen=True)
class Numbers:
    total: int
    # Facet -> value -> count, as the search engine counts published organisations.
    facets: dict[str, dict[str, int]]
    months: list[Month]
    # Published before the first month shown.
    earlier: int


def published_facets() -> tuple[int, dict[str, dict[str, int]]]:
    """How many organisations are published, and each facet's counts over all of them."""
    result = search.backend().search(search.SearchQuery(per_page=1))
    return result.total, result.facets


def publications_by_month() -> list[tuple[date, int]]:
    """(first day of the month, organisations published in it), oldest first: one query."""
    # Imported listings may lack a publication date: their creation stands for it, as in the
    # directory's "newest" order.
    published = sa.func.coalesce(Organisation.published_at, Organisation.created_at)
    year = sa.extract("year", published)
    month = sa.extract("month", published)
    rows = db.session.execute(
        sa.select(year, month, sa.func.count())
        .where(Organisation.status == "published")
        .group_by(year, month)
        .order_by(year, month)
    ).all()
    return [(date(int(y), int(m), 1), count) for y, m, count in rows]


def month_series(counts: list[tuple[date, int]], shown: int = MONTHS_SHOWN):
    """Every month from the first publication (at most `shown` back) to the last, zeros
    included, with running totals; and how many were published before the first."""
    if not counts:
        return [], 0
    by_month = dict(counts)
    last = counts[-1][0]
    first = max(counts[0][0], add_months(last, 1 - shown))
    earlier = sum(count for start, count in counts if start < first)
    months, total, current = [], earlier, first
    while current <= last:
        total += by_month.get(current, 0)
        months.append(Month(current, by_month.get(current, 0), total))
        current = add_months(current, 1)
    return months, earlier


def add_months(start: date, months: int) -> date:
    """The first day of the month `months` after (or before) the month of `start`."""
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def compute() -> Numbers:
    """The figures as they are now."""
    total, facets = published_facets()
    months, earlier = month_series(publications_by_month())
    return Numbers(total=total, facets=facets, months=months, earlier=earlier)


class NumbersCache:
    """The figures of one app, kept per index generation: counted again only once the index
    has changed, and then at most once per NUMBERS_CACHE_SECONDS (a long import changes it many
    times a minute)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # (when counted, the index version counted, the figures)
        self._kept: tuple[float, str, Numbers] | None = None

    def fresh(self, version: str, seconds: float) -> bool:
        kept = self._kept
        return kept is not None and (kept[1] == version or time.monotonic() - kept[0] < seconds)

    def get(self, version: str, seconds: float) -> Numbers:
        if not self.fresh(version, seconds):
            with self._lock:
                if not self.fresh(version, seconds):
                    self._kept = (time.monotonic(), version, compute())
        assert self._kept is not None
        return self._kept[2]


def current() -> Numbers:
    """The figures, from this app's cache while the index is unchanged or they are recent."""
    cache = current_app.extensions.setdefault("numbers", NumbersCache())
    return cache.get(search.backend().version(), current_app.config["NUMBERS_CACHE_SECONDS"])

"""Atom feeds of newly published organisations: for the whole directory, a filtered list or a
search. The search engine sorts by publication (its "newest" order) and returns one short page,
so a feed costs one search at any size of the directory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from werkzeug.datastructures import MultiDict

from .. import search
from ..models import Organisation

# Entries a feed carries: readers poll, so the newest few are all they need.
FEED_ENTRIES = 50


@dataclass(frozen=True)
class Feed:
    """What a feed shows: the organisations, newest publication first, and when it changed."""

    entries: list[Organisation]
    updated: datetime


def feed_query(args: MultiDict, text: bool) -> search.SearchQuery:
    """The search a feed runs for a page's arguments: its filters (and words), newest first."""
    query = search.query_from_args(args)
    return search.SearchQuery(
        text=query.text if text else "",
        filters=query.filters,
        sort="newest",
        per_page=FEED_ENTRIES,
    )


def build(query: search.SearchQuery) -> Feed:
    """The newest published organisations that the query finds."""
    result = search.backend().search(query)
    entries = [cast(Organisation, org) for _hit, org in search.with_organisations(result.hits)]
    return Feed(entries=entries, updated=last_change(entries))


def published(org: Organisation) -> datetime:
    """When the organisation was published (its creation for listings imported as published)."""
    return as_utc(org.published_at or org.created_at)


def updated(org: Organisation) -> datetime:
    """When its profile last changed, never before it was published."""
    return max(as_utc(org.updated_at or org.created_at), published(org))


def last_change(entries: Sequence[Organisation]) -> datetime:
    """The feed's updated time: its newest entry's change, or the start of 1970 when empty."""
    return max((updated(org) for org in entries), default=datetime(1970, 1, 1, tzinfo=UTC))


def as_utc(moment: datetime) -> datetime:
    """A stored time (naive, in UTC) marked as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def feed_arguments(args: MultiDict, text: bool) -> list[tuple[str, str]]:
    """The arguments that say what a feed lists, in a fixed order: the same list, one address."""
    query = feed_query(args, text)
    pairs = [("q", query.text)] if query.text else []
    for name in search.FACETS:
        pairs += [(name, value) for value in sorted(query.filters.get(name, []))]
    return pairs

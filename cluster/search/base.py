"""The search contract both engines keep: what a query asks and what a search returns."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

# Facets shown beside results, in display order; each maps to an Organisation attribute.
# "offers" and "needs" hold canonical capabilities (data/capabilities.toml); "looking_for" is
# kept for the API, the public pages show the other two instead.
FACETS = ("kind", "residency", "sector", "stage", "city", "offers", "needs", "looking_for")
SORTS = ("relevance", "name", "newest")


@dataclass
class SearchQuery:
    text: str = ""
    # {"kind": ["startup", "manufacturer"], "sector": ["textile"]}: OR within, AND across.
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    # The public sees published organisations only; staff search every status.
    statuses: tuple[str, ...] = ("published",)
    # Hits only, with neither facet counts nor snippets, in the same order: for callers that
    # read the ids (the duplicate check, the partner shortlist, a profile's matches), which
    # then pay for the ranking alone. An engine may leave the hits' other fields empty.
    brief: bool = False
    # Those offering a capability the words name rank first (offers.py); the duplicate check,
    # which compares names, ranks by the words alone.
    offers_first: bool = True


@dataclass
class QueryPlan:
    """What either engine's planner settles about the words of a query, beside its clauses."""

    # The query word of each clause.
    searched: list[str] = field(default_factory=list)
    # Each mistyped word with the word, as written in published profiles, searched instead.
    corrections: dict[str, str] = field(default_factory=dict)
    # Indexed terms to mark in snippets.
    terms: set[str] = field(default_factory=set)
    # The query's words as typed, for the suggestion.
    words: list[str] = field(default_factory=list)
    # The canonical capabilities the query names (offers.py): offering one scores on top.
    capabilities: list[str] = field(default_factory=list)

    def suggestion(self) -> str | None:
        """The query with each mistyped word replaced by the published word searched instead."""
        if not self.corrections:
            return None
        return " ".join(self.corrections.get(word, word) for word in self.words)

    def result(
        self,
        query: SearchQuery,
        total: int,
        hits: list[Hit],
        facets: dict[str, dict[str, int]],
        partial: bool,
        missing: Iterable[int],
    ) -> SearchResult:
        """The search's answer, with this plan's suggestion and the words nothing matched
        (`missing`: the numbers of their clauses); partial only when something was found."""
        return SearchResult(
            query=query,
            total=total,
            hits=hits,
            facets=facets,
            suggestion=self.suggestion(),
            partial=partial and total > 0,
            unmatched=[self.searched[number] for number in missing],
        )


@dataclass
class Hit:
    id: int
    slug: str
    name: str
    kind: str
    summary: str
    # Safe HTML: escaped text with matches wrapped in <mark>.
    snippet: str
    score: float


@dataclass
class SearchResult:
    query: SearchQuery
    total: int
    hits: list[Hit]
    # {"kind": {"startup": 12, ...}, "sector": {...}, ...}
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    # True when no result has every word of the query: the results match only some of them.
    partial: bool = False
    # The query's words nothing visible matched, even corrected: the page says so. A real
    # word is never "corrected" into another, so it may be here.
    unmatched: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


@dataclass
class Suggestion:
    name: str
    slug: str


class SearchBackend(Protocol):
    """What an engine offers; the database stays the source of truth."""

    def index(self, orgs: Iterable) -> None:
        """Add or replace these organisations in the index."""

    def remove(self, ids: Iterable[int]) -> None:
        """Drop these organisation ids from the index."""

    def search(self, query: SearchQuery) -> SearchResult:
        """Run a query; never raises for anything a user can type."""

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        """Names that complete what is being typed, published only."""

    def similar(self, org, limit: int = 5) -> list[Hit]:
        """Published organisations most like this one, itself excluded."""

    def rebuild(self, orgs: Iterable, progress: Callable[[int], None] | None = None) -> int:
        """Replace the whole index with these organisations; return how many were indexed.

        `progress`, when given, is called now and then with the running total indexed so far.
        """

    def reclaim(self) -> None:
        """Free what a rebuild left behind, once the caller holds no snapshot from before it."""

    def settle(self) -> None:
        """After many documents changed at once (an import indexed in batches) and at
        `flask init-db`: bring what the engine keeps beside its documents for readers up to
        date, where it has such; never raises."""

    def indexed_versions(self) -> dict[int, int]:
        """Every indexed organisation id with the version it was indexed at."""

    def count(self) -> int:
        """How many organisations the index holds."""

    def version(self) -> str:
        """Names the index's state: changes whenever what any search could find changes."""

"""The PostgreSQL engine: a search_documents table with a weighted tsvector, GIN and pg_trgm.

Rows and writes live in rows.py, query planning in planning.py, the page of hits in hits.py and
each process's facet arrays in facet_table.py; this is the SearchBackend they make together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from flask import current_app

from ...extensions import db
from .. import arrays, documents, language
from ..base import FACETS, Hit, SearchQuery, SearchResult, Suggestion
from . import hits, planning, postings, rebuilding, rows, snapshots, suggestions
from .facet_table import FacetTable
from .similar import similar
from .snapshots import Snapshot, snapshot


class PostgresBackend:
    """The SearchBackend kept in the app's own PostgreSQL database."""

    def __init__(self) -> None:
        # The facet values of the newest generation this process has read (facet_table.py).
        self._table: FacetTable | None = None
        self._loading = threading.Lock()

    # -- writing ---------------------------------------------------------------------------

    def index(self, orgs: Iterable) -> None:
        """Add or replace these organisations in the index."""
        snapshots.forget()
        rows.index(orgs)

    def remove(self, ids: Iterable[int]) -> None:
        """Drop these organisation ids from the index."""
        snapshots.forget()
        rows.remove(ids)

    def rebuild(self, orgs: Iterable, progress: Callable[[int], None] | None = None) -> int:
        """Replace the whole index with these organisations; return how many were indexed."""
        snapshots.forget()
        return rebuilding.rebuild(orgs, progress)

    def reclaim(self) -> None:
        """Vacuum the rows the last rebuild replaced (rebuilding.reclaim)."""
        rebuilding.reclaim()

    def settle(self) -> None:
        """Write the postings again if too much changed for readers to patch them; a failure
        is logged, never raised: the documents themselves are indexed."""
        snapshots.forget()
        try:
            postings.refresh()
        except sa.exc.DBAPIError:
            current_app.logger.warning(
                "Search postings not written: readers use the GIN index until they are"
                " (`flask reindex` writes them)",
                exc_info=True,
            )
        finally:
            # Not the refresh's snapshot, from before its write, for the rest of a request.
            snapshots.forget()

    # -- reading ---------------------------------------------------------------------------

    def indexed_versions(self) -> dict[int, int]:
        """Every indexed organisation id with the version it was indexed at."""
        with db.engine.connect() as conn:
            found = conn.execute(sa.text("SELECT organisation_id, version FROM search_documents"))
            return {row[0]: row[1] for row in found}

    def count(self) -> int:
        """How many organisations the index holds."""
        with db.engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM search_documents")).scalar_one()

    def version(self) -> str:
        """Names the index's state: the generation every change to search_documents bumps."""
        with snapshot() as found:
            return str(found.read_generation())

    def search(self, query: SearchQuery) -> SearchResult:
        """Run a query; never raises for anything a user can type."""
        text = language.clean_query(query.text)
        # One snapshot for every statement: the generation read first then stands for exactly
        # the rows the later statements see.
        with snapshot() as found:
            table = self._facet_table(found)
            visible = table.statuses(query.statuses)
            # The GIN index finds matches without reading each tsvector; the planner would
            # rather scan the table and test every row, which costs ten times more (and reads
            # the whole table when nothing matches).
            found.use_indexes()
            conn = found.conn
            plan = planning.plan(conn, text, table, visible)
            if not query.offers_first:
                plan.capabilities = []
            return self._search(conn, query, table, plan, visible, text)

    def _facet_table(self, found: Snapshot) -> FacetTable:
        """This snapshot's facet values: kept from an earlier search unless the table changed."""
        if found.table is not None:
            return found.table
        found.table = self._table_of(found, found.read_generation())
        return found.table

    def _table_of(self, found: Snapshot, generation: int) -> FacetTable:
        conn = found.conn
        table = self._table
        if table is not None and table.generation == generation:
            return table
        with self._loading:
            table = self._table
            if table is None or table.generation != generation:
                previous, table = table, None
                if previous is not None and generation > previous.generation:
                    # Only the documents changed since are read, unless the log cannot say.
                    table = previous.advanced(conn, generation)
                if table is None:
                    # Every row is read: a scan, whatever an earlier read of the snapshot set.
                    found.allow_seqscan()
                    table = FacetTable.load(conn, generation)
                # A search still on an older snapshot uses its own table but keeps the newest.
                if self._table is None or generation > self._table.generation:
                    self._table = table
        return table

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        """Names that complete what is being typed, published only."""
        prefix = language.clean_query(prefix)
        if not prefix:
            return []
        # One snapshot, as for a search: the arrays stand for the rows it sees.
        with snapshot() as found:
            table = self._facet_table(found)
            # As before a search in the same request turned scans off: prefixes are matched
            # by whatever plan PostgreSQL likes best.
            found.allow_seqscan()
            return suggestions.suggest(found.conn, table, prefix, limit)

    def similar(self, org, limit: int = 5) -> list[Hit]:
        """Published organisations most like this one, itself excluded."""
        doc = documents.document(org)
        # One snapshot, as for a search: the arrays stand for the rows it sees.
        with snapshot() as found:
            return similar(found, self._facet_table(found), doc, limit)

    # -- the parts of a search -------------------------------------------------------------

    def _search(
        self, conn, query: SearchQuery, table: FacetTable, plan: planning.Plan, visible, text: str
    ) -> SearchResult:
        filters = {
            facet: sorted({str(v) for v in values if v not in (None, "")})
            for facet, values in (query.filters or {}).items()
            if facet in FACETS
        }
        filters = {facet: values for facet, values in filters.items() if values}
        missing: list[int] = []
        matched, partial, tsquery = visible, False, None
        if plan.clauses:
            per_word = [table.matching(conn, clause) for clause in plan.clauses]
            matched, missing, partial = arrays.match_words(visible, per_word)
            present = [c for n, c in enumerate(plan.clauses) if n not in missing]
            # Ranked by the words the rows have: all of them, or any when only some match.
            tsquery = (" | " if partial else " & ").join(present) or "''"
        # Each facet counted over the rows that pass every other facet's selection (OR within
        # a facet, AND across facets).
        facets: dict[str, dict[str, int]]
        if query.brief:
            final, facets = arrays.selected(table.facets, matched, filters), {}
        else:
            final, facets = arrays.facet_counts(table.facets, matched, filters)
        total = int(final.sum())
        for facet, values in filters.items() if facets else ():
            # This engine lists a selected value that nothing matches, with 0.
            counts = {value: 0 for value in values} | facets[facet]
            facets[facet] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

        per_page = max(1, min(int(query.per_page or 20), 100))
        page = max(1, int(query.page or 1))
        offset = (page - 1) * per_page
        found: list[Hit] = []
        if total and offset < total:
            found = hits.page(
                conn, table, query.sort, final, text, tsquery, offset, per_page, plan,
                query.brief,
            )  # fmt: skip
        return plan.result(query, total, found, facets, partial, missing)

"""The embedded engine: a Whoosh index on disk, searched and counted with the array core."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from functools import partial
from html import escape
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index

from .. import arrays, documents, language, neighbours
from ..base import Hit, SearchQuery, SearchResult, Suggestion
from . import compatibility, fast_rebuild, planning, ranking, switchover
from .analysis import phrase
from .generation import GenerationData, Generations
from .schema import SCHEMA, index_fields
from .storage import COMPOUND, IndexStore

# Terms whose documents are kept for "Similar organisations" (rare ones: a few kB each).
SIMILAR_TERMS_KEPT = 20_000


class WhooshBackend:
    """The embedded engine (see cluster.search.base.SearchBackend).

    Created once per process by cluster.search.init_app, which is when Whoosh's version is
    checked (compatibility.start); `whoosh_version` stands for the installed one in tests.
    """

    def __init__(self, index_dir: str, whoosh_version: str | None = None):
        self.store = IndexStore(Path(index_dir))
        self.fast_rebuild = compatibility.start(whoosh_version)
        self._generations = Generations()
        # (generation, term) -> the docnums with the term in "text", for similar profiles.
        self._term_docnums = arrays.Remembered(SIMILAR_TERMS_KEPT)
        self._term_frequencies = arrays.Remembered(SIMILAR_TERMS_KEPT)

    def generation(self, searcher) -> GenerationData:
        """The arrays and caches of the generation this searcher reads."""
        return self._generations.get(self.store.generation_key(searcher), searcher.reader())

    # --- reading ------------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        """Run a query; never raises for anything a user can type."""
        return self.store.read(self._search, query)

    def _search(self, searcher, query: SearchQuery) -> SearchResult:
        data = self.generation(searcher)
        reader = searcher.reader()
        visible = data.docs_with("status", query.statuses)
        text = language.clean_query(query.text)
        plan = planning.plan(reader, data, text)
        if not query.offers_first:
            plan.capabilities = []
        missing: list[int] = []
        matched, partial = visible, False
        if plan.clauses:
            # Docnum masks from each term's postings: the documents a query tree of these
            # terms would match, found by array operations instead of matchers in Python.
            per_word = [
                np.logical_or.reduce([data.docs(reader, name, term) for name, term in clause])
                for clause in plan.clauses
            ]
            matched, missing, partial = arrays.match_words(visible, per_word)
        facets: dict[str, dict[str, int]]
        if query.brief:
            final, facets = arrays.selected(data.facets, matched, query.filters), {}
        else:
            final, facets = arrays.facet_counts(data.facets, matched, query.filters)
        hits = []
        total = int(np.count_nonzero(final))
        start = (max(1, query.page) - 1) * query.per_page
        if total and start < total:
            hits = ranking.ranked_hits(searcher, data, plan, final, query, start)
        return plan.result(query, total, hits, facets, partial, missing)

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        """Names that complete what is being typed, published only."""
        words = language.query_words(language.clean_query(prefix))
        if not words:
            return []
        return self.store.read(self._suggest, words, limit)

    def _suggest(self, searcher, words: list[str], limit: int) -> list[Suggestion]:
        # What Term("name_words", w) for the words before the last And Prefix("name_words",
        # last) would find, published only, in name order: masks and sort places from the
        # generation's arrays, not Whoosh's sorted collector walking every match.
        data = self.generation(searcher)
        reader = searcher.reader()
        matched = data.docs_with("status", ("published",)) & data.prefixed("name_words", words[-1])
        for word in words[:-1]:
            matched &= data.docs(reader, "name_words", word)
        places = data.positions(reader, "name_sort")
        first = arrays.page_by_position(np.flatnonzero(matched), places, 0, limit * 3)
        found = []
        for docnum in first.tolist():
            stored = searcher.stored_fields(docnum)
            found.append((stored["title"], stored["slug"]))
        typed = " ".join(words)
        # Names that begin with what was typed come before those that only contain it.
        found.sort(key=lambda item: not phrase(item[0]).startswith(typed))
        return [Suggestion(name=name, slug=slug) for name, slug in found[:limit]]

    def similar(self, org, limit: int = 5) -> list[Hit]:
        """Published organisations most like this one, itself excluded."""
        return self.store.read(self._similar, documents.document(org), limit)

    def _similar(self, searcher, doc: dict, limit: int) -> list[Hit]:
        data = self.generation(searcher)
        reader = searcher.reader()
        allowed = data.docs_with("status", ("published",)).copy()
        own = searcher.document_number(id=str(doc["id"]))
        if own is not None:
            allowed[own] = False

        key = self.store.generation_key(searcher)

        def term_rows(words: list[str]) -> dict[str, np.ndarray]:
            return {
                term: self._term_docnums.get((key, term), partial(_docnums, reader, term))
                for term in words
            }

        def frequencies(words: list[str]) -> dict[str, int]:
            # Kept like the rows: a profile asks for 32 terms, each a look-up in every segment.
            return {
                term: self._term_frequencies.get(
                    (key, term), partial(reader.doc_frequency, "text", term)
                )
                for term in words
            }

        likeness = neighbours.scores(doc, term_rows, data.facets, allowed, frequencies)
        rows, scores = neighbours.nearest(likeness, limit)
        hits = []
        for docnum, score in zip(rows.tolist(), scores.tolist(), strict=True):
            stored = searcher.stored_fields(docnum)
            hits.append(ranking.stored_hit(stored, escape(stored.get("summary", "")), score))
        return hits

    def indexed_versions(self) -> dict[int, int]:
        """Every indexed organisation id with the version it was indexed at."""
        return self.store.read(
            lambda searcher: {
                int(stored["id"]): stored["version"]
                for stored in searcher.reader().all_stored_fields()
            }
        )

    def count(self) -> int:
        """How many organisations the index holds."""
        return self.store.read(lambda searcher: searcher.doc_count())

    def version(self) -> str:
        """Names the index's state: another after every commit and every rebuild."""
        name, generation = self.store.read(self.store.generation_key)
        return f"{name}:{generation}"

    # --- writing ------------------------------------------------------------------------------

    def index(self, orgs: Iterable) -> None:
        """Add or replace these organisations in the index."""
        fields = [index_fields(documents.document(org)) for org in orgs]
        if not fields:
            return

        def apply(writer):
            # Two processes can load the same organisation at different versions and then
            # queue for the lock in either order: the newer version must win.
            with writer.searcher() as searcher:
                for entry in fields:
                    docnum = searcher.document_number(id=entry["id"])
                    if (
                        docnum is not None
                        and searcher.stored_fields(docnum)["version"] > entry["version"]
                    ):
                        continue
                    writer.update_document(**entry)

        self.store.write(apply)

    def remove(self, ids: Iterable[int]) -> None:
        """Drop these organisation ids from the index."""
        terms = [str(i) for i in ids]
        if not terms:
            return

        def apply(writer):
            for term in terms:
                writer.delete_by_term("id", term)

        self.store.write(apply)

    def rebuild(self, orgs: Iterable, progress: Callable[[int], None] | None = None) -> int:
        """Build a complete new index beside the live one, then switch to it in one rename."""
        self.store.root.mkdir(parents=True, exist_ok=True)
        # What the live index holds before the database is read: whatever differs from this
        # at the switch was written while the new index was being built.
        start = switchover.indexed_state(self.store)
        name, path = self.store.new_directory("build")
        count = 0
        try:
            ix = whoosh_index.create_in(str(path), SCHEMA)
            with ix.writer(compound=COMPOUND) as writer:
                add = (
                    fast_rebuild.document_adder(writer)
                    if self.fast_rebuild
                    else partial(_add_document, writer)
                )
                for org in orgs:
                    add(index_fields(documents.document(org)))
                    count += 1
                    if progress and count % 100 == 0:
                        progress(count)
                if progress and count % 100:
                    progress(count)
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        switchover.switch_to(self.store, name, start)
        return count

    def reclaim(self) -> None:
        """Nothing to free: a rebuild writes a new directory, and the switch removes old ones."""

    def settle(self) -> None:
        """Nothing to bring up to date: segments written since a rebuild are read as they are."""


def _docnums(reader, term: str) -> np.ndarray:
    return compatibility.term_docnums(reader, "text", term)


def _add_document(writer, fields: dict) -> None:
    # Whoosh's own add_document, for when its internals may not be used (compatibility).
    writer.add_document(**fields)

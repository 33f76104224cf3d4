"""What searches need from one open reader, computed once per index generation."""

from __future__ import annotations

import threading
from collections.abc import Iterable

import numpy as np
from whoosh.reading import TermNotFound

from .. import arrays
from .schema import MULTI_VALUED, SINGLE_VALUED

# Postings and match sets of this many recent query terms are kept per index generation.
TERM_CACHE = 2000
# Generations kept per engine: only the newest ones are asked for again.
GENERATIONS_KEPT = 3


class GenerationData:
    """One generation's facet columns and caches, docnums being rows of the array core."""

    def __init__(self, reader):
        self.size = reader.doc_count_all()
        # facet -> its column; "status" included.
        self.facets = {
            facet: _facet_column(reader, facet, self.size, facet in MULTI_VALUED)
            for facet in (*SINGLE_VALUED, *MULTI_VALUED)
        }
        self._vocabulary: list[str] | None = None
        # (field, term) -> (docnums, weights), for the terms queries have asked about lately.
        self._postings = arrays.Remembered(TERM_CACHE)
        self._text_matches = arrays.MatchSets(self.size, TERM_CACHE)
        # field -> each docnum's length of it, as Whoosh's scoring reads it.
        self._lengths: dict[str, np.ndarray] = {}
        self._positions: dict[tuple[str, bool], np.ndarray] = {}
        # (facet, values) -> set of docnums for Whoosh's filter= argument (which takes a set,
        # not a frozenset); shared, so never changed.
        self._docnum_sets: dict[tuple, set[int]] = {}
        self._vocabulary_lock = threading.Lock()

    def postings(self, reader, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The docnums having a term (deleted ones left out) and the term's weight in each."""
        key = (fieldname, term)
        return self._postings.get(key, lambda: _read_postings(reader, fieldname, term))

    def docs(self, reader, fieldname: str, term: str) -> np.ndarray:
        """A docnum mask of the documents with this term in a field ("text", "name_sound")."""

        def mask() -> np.ndarray:
            docs = np.zeros(self.size, dtype=bool)
            docs[self.postings(reader, fieldname, term)[0]] = True
            return docs

        return self._text_matches.get((fieldname, term), mask)

    def field_lengths(self, reader, fieldname: str) -> np.ndarray:
        """Each docnum's length of a field, as Whoosh's scoring reads it."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            lengths = np.array(
                [reader.doc_field_length(docnum, fieldname, 0) for docnum in range(self.size)],
                dtype=np.float64,
            )
            self._lengths[fieldname] = lengths
        return lengths

    def positions(self, reader, fieldname: str, descending: bool = False) -> np.ndarray:
        """Each docnum's place in the order of a sortable column (name or creation time)."""
        places = self._positions.get((fieldname, descending))
        if places is None:
            column = reader.column_reader(fieldname)
            order = np.array(sorted(range(self.size), key=column.__getitem__), dtype=np.int64)
            # Descending is the ascending order backwards, equal values included.
            places = arrays.positions(order[::-1] if descending else order)
            self._positions[(fieldname, descending)] = places
        return places

    def docs_with(self, facet: str, values: Iterable[str]) -> np.ndarray:
        """A docnum mask of the documents with any of these values of a facet."""
        return self.facets[facet].having(values)

    def docnum_set(self, facet: str, values: tuple[str, ...]) -> set[int]:
        """The docnums with any of these values of a facet, as Whoosh's filter= takes them."""
        key = (facet, values)
        docs = self._docnum_sets.get(key)
        if docs is None:
            docs = set(np.flatnonzero(self.docs_with(facet, values)).tolist())
            self._docnum_sets[key] = docs
        return docs

    def vocabulary(self, reader) -> list[str]:
        """The words as written in published profiles that typos are corrected into.

        Words of documents deleted or unpublished since the segment was written stay in its
        lexicon until a merge: planning.correct checks a candidate's live postings.
        """
        if self._vocabulary is None:
            with self._vocabulary_lock:
                if self._vocabulary is None:
                    lexicon = reader.lexicon("spelling")
                    self._vocabulary = [btext.decode("utf-8") for btext in lexicon]
        return self._vocabulary


class Generations:
    """The data of the few newest generations an engine has read, by directory and number."""

    def __init__(self):
        self._data: dict[tuple[str, int], GenerationData] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int], reader) -> GenerationData:
        """The data of this generation, computed from its reader the first time."""
        data = self._data.get(key)
        if data is None:
            data = GenerationData(reader)
            with self._lock:
                for old in sorted(self._data)[:-GENERATIONS_KEPT]:
                    del self._data[old]
                self._data[key] = data
        return data


def _facet_column(reader, fieldname: str, size: int, multi: bool) -> arrays.FacetColumn:
    # Postings, not stored fields: they leave deleted documents out.
    values, members = [], []
    for btext in reader.lexicon(fieldname):
        values.append(btext.decode("utf-8"))
        members.append(np.fromiter(reader.postings(fieldname, btext).all_ids(), dtype=np.int64))
    return arrays.FacetColumn.from_members(values, members, size, multi)


def _read_postings(reader, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
    docnums, weights = [], []
    try:
        matcher = reader.postings(fieldname, term)
        while matcher.is_active():
            docnums.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    except TermNotFound:
        pass
    return np.array(docnums, dtype=np.int64), np.array(weights, dtype=np.float64)

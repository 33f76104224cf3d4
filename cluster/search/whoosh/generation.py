"""What searches need from one open reader, put together once per index generation.

A generation is its segments' arrays (segments.py) one after another, each segment's docnums
shifted by its offset, the documents deleted since a segment was read left out: only a new
segment is read from its postings, so the first search after an edit costs a few milliseconds
at any size. A rebuild writes new segments, which are read whole once.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Sequence

import numpy as np

from .. import arrays
from .joined import JoinedSegments, joined_facets
from .segments import SegmentData, deleted_docnums, segment_key

# Postings and match sets of this many recent query terms are kept per index generation.
TERM_CACHE = 2000
# Generations kept per engine: only the newest ones are asked for again.
GENERATIONS_KEPT = 3


class GenerationData:
    """One generation's facet columns and caches, docnums being rows of the array core."""

    def __init__(
        self, reader, segments: dict[str, SegmentData] | None = None, joined: dict | None = None
    ):
        # (segment reader, its data, its first docnum), segments in the reader's order.
        known = {} if segments is None else segments
        self.leaves = []
        for leaf, offset in reader.leaf_readers():
            key = segment_key(leaf)
            data = known.get(key) if key else None
            if data is None:
                data = SegmentData(leaf)
                if key:
                    known[key] = data
            self.leaves.append((leaf, data, offset))
        self.size = reader.doc_count_all()
        deleted = [deleted_docnums(leaf) + offset for leaf, _, offset in self.leaves]
        self.deleted = np.concatenate(deleted) if deleted else np.zeros(0, dtype=np.int64)
        self.live = np.ones(self.size, dtype=bool)
        self.live[self.deleted] = False
        # facet -> its column; "status" included.
        self.joined_key, facets, self._large = joined_facets(
            self.leaves, {} if joined is None else joined
        )
        self.facets = {facet: column.without(self.deleted) for facet, column in facets.items()}
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

        def combined() -> tuple[np.ndarray, np.ndarray]:
            if not self.leaves:
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
            parts = [
                (docnums + offset, weights)
                for leaf, data, offset in self.leaves
                for docnums, weights in [data.postings(leaf, fieldname, term)]
            ]
            docnums = np.concatenate([docnums for docnums, _ in parts])
            weights = np.concatenate([weights for _, weights in parts])
            kept = self.live[docnums]
            return docnums[kept], weights[kept]

        return self._postings.get((fieldname, term), combined)

    def docs(self, reader, fieldname: str, term: str) -> np.ndarray:
        """A docnum mask of the documents with this term in a field ("text", "name_sound")."""

        def mask() -> np.ndarray:
            docs = np.zeros(self.size, dtype=bool)
            docs[self.postings(reader, fieldname, term)[0]] = True
            return docs

        return self._text_matches.get((fieldname, term), mask)

    def prefixed(self, fieldname: str, prefix: str) -> np.ndarray:
        """A docnum mask of the documents with a term of a field starting with this prefix
        (Whoosh's Prefix query); only new segments are read for a new generation."""

        def mask() -> np.ndarray:
            docs = np.zeros(self.size, dtype=bool)
            for leaf, data, offset in self.leaves:
                docs[data.prefixed(leaf, fieldname, prefix) + offset] = True
            return docs & self.live

        return self._text_matches.get((fieldname, prefix, "prefix"), mask)

    def field_lengths(self, reader, fieldname: str) -> np.ndarray:
        """Each docnum's length of a field, as Whoosh's scoring reads it."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            parts = [data.field_lengths(leaf, fieldname) for leaf, data, _ in self.leaves]
            lengths = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float64)
            self._lengths[fieldname] = lengths
        return lengths

    def positions(self, reader, fieldname: str, descending: bool = False) -> np.ndarray:
        """Each docnum's place in the order of a sortable column (name or creation time)."""
        places = self._positions.get((fieldname, descending))
        if places is None:
            # The caller's own readers of these segments: the generation's were opened by
            # another thread, which may be reading the same files at this moment.
            leaves = [
                (leaf, data)
                for (leaf, _), (_, data, _) in zip(reader.leaf_readers(), self.leaves, strict=True)
            ]
            runs: list[tuple[Sequence, np.ndarray]] = []
            if self._large is not None:
                # The large segments' rows in order, worked out once for every generation.
                lead = len(self.joined_key)
                runs.append(self._large.run(fieldname, [leaf for leaf, _ in leaves[:lead]]))
                leaves = leaves[lead:]
            for leaf, data in leaves:
                runs.append((data.sorted_keys(leaf, fieldname), data.order(leaf, fieldname)))
            places = arrays.merged_places(runs)
            if descending:
                # Descending is the ascending order backwards, equal values included.
                places = len(places) - 1 - places
            self._positions[(fieldname, descending)] = places
        return places

    def segments(self) -> list[SegmentData]:
        """The data of this generation's segments."""
        return [data for _, data, _ in self.leaves]

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
                    self._vocabulary = _merged_words(
                        [data.vocabulary(leaf) for leaf, data, _ in self.leaves]
                    )
        return self._vocabulary


def _merged_words(lists: list[list[str]]) -> list[str]:
    """The sorted words of several sorted lists, each once: the largest list copied, the
    words of the others inserted where they belong (a few, after an edit)."""
    if not lists:
        return []
    lists = sorted(lists, key=len, reverse=True)
    merged = list(lists[0])
    for words in lists[1:]:
        for word in words:
            at = bisect.bisect_left(merged, word)
            if at == len(merged) or merged[at] != word:
                merged.insert(at, word)
    return merged


class Generations:
    """The data of the few newest generations an engine has read, by directory and number,
    and of the segments they hold (kept while a kept generation holds them)."""

    def __init__(self):
        self._data: dict[tuple[str, int], GenerationData] = {}
        self._segments: dict[str, SegmentData] = {}
        # The facet columns and sort orders of the large segments kept generations begin with.
        self._joined: dict[tuple, JoinedSegments] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int], reader) -> GenerationData:
        """The data of this generation, from its reader and the segments already read."""
        data = self._data.get(key)
        if data is None:
            with self._lock:
                data = self._data.get(key)
                if data is not None:
                    return data
                data = GenerationData(reader, self._segments, self._joined)
                self._data[key] = data
                for old in sorted(self._data)[:-GENERATIONS_KEPT]:
                    del self._data[old]
                used = {kept.joined_key for kept in self._data.values()}
                self._joined = {key: joined for key, joined in self._joined.items() if key in used}
                held = {id(segment) for kept in self._data.values() for segment in kept.segments()}
                self._segments = {
                    name: segment for name, segment in self._segments.items() if id(segment) in held
                }
        return data

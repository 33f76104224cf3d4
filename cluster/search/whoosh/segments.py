"""What searches need from one segment of the index, read once per segment, not per generation.

A commit adds a small segment and marks deletions in the older ones; it never changes a
segment's documents. So every array read from a segment's postings, lengths and columns holds
for as long as the segment lives, its docnums counted from 0 within it; a generation
(generation.py) puts its segments' arrays one after another and leaves out the documents
deleted since they were read. After a one-row edit a process reads only the new segment's few
documents, not the 100,000 of the old one.
"""

from __future__ import annotations

import threading

import numpy as np

from .. import arrays
from . import compatibility
from .schema import MULTI_VALUED, SINGLE_VALUED

# Joins a document's values of a multi-valued facet for FacetColumn.from_keys (no value has it).
SEPARATOR = "\x1f"
# Postings of this many recent query terms are kept per segment.
TERM_CACHE = 2000
# The documents of this many recent prefixes (name suggestions) are kept per segment.
PREFIX_CACHE = 500
# A segment of fewer documents has its facet columns read from their stored values, a larger
# one from postings: a list per value costs about 0.3 ms, and the segment a commit merges the
# small ones into (20-odd documents) has a hundred values, 38 ms of the next search's CPU.
STORED_BELOW = 500


def segment_key(reader) -> str | None:
    """The segment a leaf reader reads: its name, which no other segment ever has (None for
    the reader of an empty index)."""
    segment = reader.segment()
    return None if segment is None else segment.segment_id()


def deleted_docnums(reader) -> np.ndarray:
    """The docnums deleted in a leaf reader's segment, as this generation sees it."""
    segment = reader.segment()
    deleted = () if segment is None else segment.deleted_docs()
    return np.fromiter(deleted, dtype=np.int64)


class SegmentData:
    """One segment's facet columns, postings, field lengths and sort orders (local docnums).

    Read from the reader of whichever generation first asked; documents deleted by then are
    already left out, later deletions are left out by the generation.
    """

    def __init__(self, reader):
        self.size = reader.doc_count_all()
        if self.size < STORED_BELOW:
            self.facets = _stored_facet_columns(reader, self.size)
        else:
            self.facets = {
                facet: _facet_column(reader, facet, self.size, facet in MULTI_VALUED)
                for facet in (*SINGLE_VALUED, *MULTI_VALUED)
            }
        self._postings = arrays.Remembered(TERM_CACHE)
        self._prefixed = arrays.Remembered(PREFIX_CACHE)
        self._lengths: dict[str, np.ndarray] = {}
        self._orders: dict[str, np.ndarray] = {}
        # field -> {place in its order: key}, as the bisects of later generations read them.
        self._keys: dict[str, dict[int, object]] = {}
        self._vocabulary: list[str] | None = None
        self._lock = threading.Lock()

    def postings(self, reader, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The docnums having a term and the term's weight in each."""
        return self._postings.get(
            (fieldname, term), lambda: _read_postings(reader, fieldname, term)
        )

    def prefixed(self, reader, fieldname: str, prefix: str) -> np.ndarray:
        """The docnums having any term of a field that starts with a prefix."""

        def read() -> np.ndarray:
            found = [
                np.fromiter(reader.postings(fieldname, btext).all_ids(), dtype=np.int64)
                for btext in reader.expand_prefix(fieldname, prefix)
            ]
            return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)

        return self._prefixed.get((fieldname, prefix), read)

    def field_lengths(self, reader, fieldname: str) -> np.ndarray:
        """Each docnum's length of a field, as Whoosh's scoring reads it."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            lengths = compatibility.field_lengths(reader, fieldname)
        if lengths is None:
            length = reader.doc_field_length
            lengths = np.fromiter(
                (length(docnum, fieldname, 0) for docnum in range(self.size)),
                dtype=np.float64,
                count=self.size,
            )
        self._lengths[fieldname] = lengths
        return lengths

    def order(self, reader, fieldname: str) -> np.ndarray:
        """The docnums in the order of a sortable column, equal values by docnum."""
        order = self._orders.get(fieldname)
        if order is None:
            column = reader.column_reader(fieldname)
            order = np.array(sorted(range(self.size), key=column.__getitem__), dtype=np.int64)
            self._orders[fieldname] = order
        return order

    def sorted_keys(self, reader, fieldname: str) -> arrays.KeysInOrder:
        """The segment's values of a sortable column in its order, those read once kept: each
        new generation looks the few new documents' keys up in the large segment's."""
        column = reader.column_reader(fieldname)
        read = self._keys.setdefault(fieldname, {})
        return arrays.KeysInOrder(self.order(reader, fieldname), column.__getitem__, read)

    def vocabulary(self, reader) -> list[str]:
        """The segment's words as written, sorted (the "spelling" field's lexicon)."""
        if self._vocabulary is None:
            with self._lock:
                if self._vocabulary is None:
                    lexicon = reader.lexicon("spelling")
                    self._vocabulary = [btext.decode("utf-8") for btext in lexicon]
        return self._vocabulary


def _facet_column(reader, fieldname: str, size: int, multi: bool) -> arrays.FacetColumn:
    # Postings, not stored fields: they leave deleted documents out.
    values, members = [], []
    for btext in reader.lexicon(fieldname):
        values.append(btext.decode("utf-8"))
        members.append(compatibility.term_postings(reader, fieldname, values[-1], False)[0])
    return arrays.FacetColumn.from_members(values, members, size, multi)


def _stored_facet_columns(reader, size: int) -> dict[str, arrays.FacetColumn]:
    # The terms the schema's fields index from the stored values: an ID field's value whole,
    # a comma-separated KEYWORD field's items stripped, empty ones dropped. iter_docs leaves
    # deleted documents out, as postings do.
    keys = {facet: [""] * size for facet in (*SINGLE_VALUED, *MULTI_VALUED)}
    for docnum, stored in reader.iter_docs():
        for facet, column in keys.items():
            column[docnum] = stored.get(facet) or ""
    columns = {}
    for facet, column in keys.items():
        if facet not in MULTI_VALUED:
            columns[facet] = arrays.FacetColumn.from_keys(column)
            continue
        items = [sorted({item.strip() for item in key.split(",")} - {""}) for key in column]
        columns[facet] = arrays.FacetColumn.from_keys(
            [SEPARATOR.join(values) for values in items], SEPARATOR
        )
    return columns


def _read_postings(reader, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
    # A block at a time (the first search for "printing" at 100,000 read 56,000 postings).
    return compatibility.term_postings(reader, fieldname, term)

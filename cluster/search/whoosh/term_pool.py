"""One fresh segment's postings grouped by term in memory, written without Whoosh's pool.

Whoosh's own pool sorts every posting and, past its memory limit, spills sorted runs to disk
and merges them back: at 100,000 organisations that took most of a rebuild. A fresh segment
adds documents in docnum order, so grouping by term and sorting only the terms yields the
postings in the same order, in a fraction of the memory. This reaches into W3PerDocWriter,
W3FieldWriter and W3PostingsWriter internals: only used when compatibility.start allowed it.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Callable
from itertools import count, repeat

import numpy as np
from whoosh.analysis import IDTokenizer
from whoosh.formats import Existence

from . import docnum_lists
from .analysis import Postings

# Receives a field's terms, where each term's docnums start, and the docnums.
Listed = Callable[[list[bytes], np.ndarray, np.ndarray], None]

# Facet fields repeat a few values across the directory: their terms are worked out once per
# value instead of through the analyzer for every document.
REPEATED_FIELDS = frozenset(
    ("kind", "residency", "status", "stage", "city", "sector", "looking_for", "offers", "needs")
)


class TermPool:
    """The postings of a fresh segment in flat arrays, in the order documents were added.

    A posting is a term number, a docnum, a weight and an encoded value; a document's field
    adds its postings with one extend per array, the term numbers looked up by map() over a
    defaultdict that numbers each new term. write() sorts them by term once.
    """

    def __init__(self):
        self._number = count().__next__
        # fieldname -> term bytes -> term number
        self.numbers: dict[str, defaultdict[bytes, int]] = {}
        self.term_numbers = array("i")
        self.docnums = array("i")
        self.weights = array("d")
        self.values: list[bytes] = []
        # (fieldname, value) -> the field's postings, for REPEATED_FIELDS
        self.items: dict[tuple[str, str], Postings] = {}

    def add(self, fieldname: str, docnum: int, postings: Postings) -> None:
        """Add one document's postings in one field."""
        words, _, weights, values = postings
        numbers = self.numbers.get(fieldname)
        if numbers is None:
            numbers = self.numbers[fieldname] = defaultdict(self._number)
        self.term_numbers.extend(map(numbers.__getitem__, words))
        self.docnums.extend(repeat(docnum, len(words)))
        self.weights.extend(weights)
        self.values.extend(values)

    def postings(self, fieldname: str, field, value) -> Postings:
        """The postings of a field's value: the fast fields' own, else from field.index()."""
        cached = fieldname in REPEATED_FIELDS
        if cached and (fieldname, value) in self.items:
            return self.items[(fieldname, value)]
        fast = getattr(field, "postings", None)
        if fast is not None and isinstance(value, str):
            found = fast(value)
        elif _whole_value(field) and isinstance(value, str):
            # ID's analyzer makes the whole value its one term; Existence weighs it the boost.
            found = ([value.encode("utf-8")], [1], [field.format.field_boost * 1.0], [b""])
        else:
            items = list(field.index(value))
            columns = [list(column) for column in zip(*items, strict=True)] or [[], [], [], []]
            found = (columns[0], columns[1], [w * 1.0 for w in columns[2]], columns[3])
        if cached:
            self.items[(fieldname, value)] = found
        return found

    def write(self, fields, lengths, schema, listed: Listed | None = None) -> None:
        """Write the postings through the segment's field writer, term by term, and close it.

        What Whoosh's FieldWriter.add_postings does with sorted postings, without a tuple and
        the order checks per posting. A stable sort by term keeps each term's postings in
        docnum order. `lengths` reads the segment's field lengths (its per-document writer is
        closed by now). `listed`, when given, receives docnum_lists.FIELD's terms, where each
        term's docnums start and the docnums (docnum_lists.py).
        """
        keys = sorted(
            (fieldname, btext, number)
            for fieldname, numbers in self.numbers.items()
            for btext, number in numbers.items()
        )
        rank = np.empty(len(keys), dtype=np.int64)
        rank[[number for _, _, number in keys]] = np.arange(len(keys))
        ranks = rank[np.frombuffer(self.term_numbers, dtype=np.int32)]
        order = np.argsort(ranks, kind="stable")
        ends = np.cumsum(np.bincount(ranks, minlength=len(keys))).tolist()
        docnums = np.frombuffer(self.docnums, dtype=np.int32)[order]
        weights = np.frombuffer(self.weights, dtype=np.float64)[order]
        values = np.array(self.values, dtype=object)[order]
        self.cleanup()
        if listed is not None:
            _list_docnums(listed, keys, ends, docnums)
        doccount = lengths.doc_count_all()
        current = None
        field_lengths = None
        start = 0
        for (fieldname, btext, _), end in zip(keys, ends, strict=True):
            if fieldname != current:
                if current is not None:
                    fields.finish_field()
                fields.start_field(fieldname, schema[fieldname])
                current = fieldname
                field_lengths = None
                if schema[fieldname].scorable:
                    length = lengths.doc_field_length
                    field_lengths = [length(d, fieldname) or 0 for d in range(doccount)]
            fields.start_term(btext)
            _add_postings(
                fields._postwriter,
                docnums[start:end].tolist(),
                weights[start:end].tolist(),
                values[start:end].tolist(),
                field_lengths,
            )
            fields.finish_term()
            start = end
        if current is not None:
            fields.finish_field()
        fields.close()
        lengths.close()

    def cleanup(self) -> None:
        """Forget every posting."""
        self.numbers.clear()
        self.term_numbers = array("i")
        self.docnums = array("i")
        self.weights = array("d")
        self.values = []
        self.items.clear()


def _list_docnums(listed: Listed, keys: list, ends: list[int], docnums: np.ndarray) -> None:
    # The keys are sorted by field, so the listed field's terms and postings are one run.
    places = [place for place, key in enumerate(keys) if key[0] == docnum_lists.FIELD]
    if not places:
        return
    first, last = places[0], places[-1]
    starts = np.array([0, *ends], dtype=np.int64)[first : last + 2]
    terms = [btext for _, btext, _ in keys[first : last + 1]]
    listed(terms, starts - starts[0], docnums[starts[0] : starts[-1]])


def _whole_value(field) -> bool:
    return isinstance(field.analyzer, IDTokenizer) and type(field.format) is Existence


def add_document(schema, perdocwriter, pool: TermPool, docnum: int, fields: dict) -> None:
    """What SegmentWriter.add_document does for SCHEMA's fields, straight into a TermPool.

    No boosts, spelling or vectors are used here (compatibility.unsupported checks), so it
    keeps only what a document needs: its postings, stored fields, lengths and columns.
    """
    perdocwriter.start_doc(docnum)
    try:
        for fieldname in sorted(fields):
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                postings = pool.postings(fieldname, field, value)
                pool.add(fieldname, docnum, postings)
                if field.scorable:
                    length = sum(postings[1])
            perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
            column = field.column_type
            if column:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
    except Exception:
        perdocwriter.cancel_doc()
        raise
    perdocwriter.finish_doc()


def _add_postings(postwriter, docnums, weights, values, field_lengths) -> None:
    # What W3PostingsWriter.add_posting does once per posting, a block at a time: the same
    # buffered ids, weights, values and statistics, the same blocks written.
    limit = postwriter._blocklimit
    for start in range(0, len(docnums), limit):
        if start:
            postwriter._write_block()
        ids = docnums[start : start + limit]
        block_weights = weights[start : start + limit]
        postwriter._ids.extend(ids)
        postwriter._weights.extend(block_weights)
        postwriter._maxweight = max(postwriter._maxweight, *block_weights)
        postwriter._values.extend(filter(None, values[start : start + limit]))
        if field_lengths is not None:
            block_lengths = [field_lengths[d] for d in ids]
            present = [length for length in block_lengths if length]
            if present:
                low = min(present)
                if postwriter._minlength is None or low < postwriter._minlength:
                    postwriter._minlength = low
                postwriter._maxlength = max(postwriter._maxlength, *present)

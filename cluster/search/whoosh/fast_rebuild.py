"""A fresh index written without Whoosh's posting pool: postings grouped by term in memory.

Whoosh's own pool sorts every posting and, past its memory limit, spills sorted runs to disk
and merges them back: at 100,000 organisations that took most of a rebuild. A fresh index adds
documents in docnum order, so grouping by term and sorting only the terms yields the postings
in the same order, in a fraction of the memory. This reaches into SegmentWriter and
W3PostingsWriter internals: only used when compatibility.start allowed it.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from functools import partial

# Facet fields repeat a few values across the directory: their terms are worked out once per
# value instead of through the analyzer for every document.
REPEATED_FIELDS = frozenset(
    ("kind", "residency", "status", "stage", "city", "sector", "looking_for", "offers", "needs")
)


class TermPool:
    """The postings of a fresh index, grouped by term as documents are added."""

    def __init__(self):
        # (fieldname, term bytes) -> (docnums, weights, encoded values)
        self.terms: dict[tuple[str, bytes], tuple[array, list, list]] = {}
        # (fieldname, value) -> the field's index() items, for REPEATED_FIELDS
        self.items: dict[tuple[str, str], list] = {}

    def add(self, item) -> None:
        """Add one (fieldname, term bytes, docnum, weight, value) posting, as Whoosh's pool."""
        fieldname, btext, docnum, weight, value = item
        entry = self.terms.get((fieldname, btext))
        if entry is None:
            entry = self.terms[(fieldname, btext)] = (array("q"), [], [])
        entry[0].append(docnum)
        entry[1].append(weight)
        entry[2].append(value)

    def write(self, writer) -> None:
        """Write the postings into the writer's new segment, term by term.

        What Whoosh's FieldWriter.add_postings does with sorted postings, without a tuple and
        the order checks per posting: the terms are already grouped and sorted here.
        """
        fields = writer.fieldwriter
        lengths = writer.per_document_reader()
        doccount = lengths.doc_count_all()
        current = None
        field_lengths = None
        for key in sorted(self.terms):
            fieldname, btext = key
            docnums, weights, values = self.terms.pop(key)
            if fieldname != current:
                if current is not None:
                    fields.finish_field()
                fields.start_field(fieldname, writer.schema[fieldname])
                current = fieldname
                field_lengths = None
                if writer.schema[fieldname].scorable:
                    length = lengths.doc_field_length
                    field_lengths = [length(d, fieldname) or 0 for d in range(doccount)]
            fields.start_term(btext)
            _add_postings(fields._postwriter, docnums, weights, values, field_lengths)
            fields.finish_term()
        if current is not None:
            fields.finish_field()
        fields.close()
        lengths.close()

    def cleanup(self) -> None:
        """Forget every posting (Whoosh calls this as the segment closes or is cancelled)."""
        self.terms.clear()
        self.items.clear()


def document_adder(writer) -> Callable[[dict], None]:
    """Make a new SegmentWriter collect postings in a TermPool; return its add_document."""
    writer.pool = TermPool()
    writer._flush_segment = partial(_flush_term_pool, writer)
    return partial(add_document, writer)


def add_document(writer, fields: dict) -> None:
    """What SegmentWriter.add_document does for SCHEMA's fields, straight into a TermPool.

    No boosts, spelling or vectors are used here (compatibility.unsupported checks), so it
    keeps only what a document needs: a posting per term appended to the pool without a tuple
    and method call each.
    """
    writer._check_state()
    perdocwriter = writer.perdocwriter
    schema = writer.schema
    docnum = writer.docnum
    terms = writer.pool.terms
    cached = writer.pool.items
    perdocwriter.start_doc(docnum)
    try:
        for fieldname in sorted(fields):
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                if fieldname in REPEATED_FIELDS:
                    key = (fieldname, value)
                    items = cached.get(key)
                    if items is None:
                        items = cached[key] = list(field.index(value))
                else:
                    items = field.index(value)
                scorable = field.scorable
                for tbytes, freq, weight, vbytes in items:
                    if scorable:
                        length += freq
                    entry = terms.get((fieldname, tbytes))
                    if entry is None:
                        entry = terms[(fieldname, tbytes)] = (array("q"), [], [])
                    entry[0].append(docnum)
                    entry[1].append(weight * 1.0)
                    entry[2].append(vbytes)
            perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
            column = field.column_type
            if column:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
    except Exception:
        perdocwriter.cancel_doc()
        raise
    perdocwriter.finish_doc()
    writer._added = True
    writer.docnum += 1


def _add_postings(postwriter, docnums, weights, values, field_lengths) -> None:
    # What W3PostingsWriter.add_posting does once per posting, a block at a time: the same
    # buffered ids, weights, values and statistics, the same blocks written.
    limit = postwriter._blocklimit
    for start in range(0, len(docnums), limit):
        if start:
            postwriter._write_block()
        ids = docnums[start : start + limit]
        block_weights = weights[start : start + limit]
        postwriter._ids.extend(array("I", ids))
        postwriter._weights.extend(block_weights)
        postwriter._maxweight = max(postwriter._maxweight, *block_weights)
        postwriter._values.extend(value for value in values[start : start + limit] if value)
        if field_lengths is not None:
            block_lengths = [field_lengths[d] for d in ids]
            present = [length for length in block_lengths if length]
            if present:
                low = min(present)
                if postwriter._minlength is None or low < postwriter._minlength:
                    postwriter._minlength = low
                postwriter._maxlength = max(postwriter._maxlength, *present)


def _flush_term_pool(writer) -> None:
    # SegmentWriter._flush_segment for a writer whose pool is a TermPool.
    writer.perdocwriter.close()
    writer.pool.write(writer)

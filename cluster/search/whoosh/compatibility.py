"""What the engine takes from Whoosh's internals, used only on the version it was written for.

The fast rebuild (fast_rebuild.py) writes into a segment writer's private buffers, the
reader patch below replaces a private method of Whoosh's per-document reader, and
`term_docnums` decodes a postings matcher's blocks itself. Both were written
for one release; `start` checks, once the engine is created, that it is the release installed
and that the schema needs nothing the fast rebuild leaves out. On anything else a warning says
why and the engine uses Whoosh's own writer and reader: slower, never wrong.
tests/search/test_whoosh_internals.py compares both with Whoosh's own behaviour.
"""

from __future__ import annotations

import logging
import threading
from array import array

import numpy as np
import whoosh
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3LeafMatcher,
    W3PerDocReader,
    _lenfield,
)
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from . import docnum_lists
from .schema import SCHEMA

log = logging.getLogger(__name__)
# A field length as Whoosh stores it (one byte, logarithmic) -> the length it reads back;
# Whoosh reads a byte of 0 as None, which NumPy takes as NaN.
BYTE_LENGTHS = np.array([np.nan, *map(byte_to_length, range(1, 256))], dtype=np.float64)

# Keep in step with the whoosh-reloaded pin in pyproject.toml.
SUPPORTED_VERSION = "2.7.5"
UNPATCHED_READER = W3PerDocReader._cached_reader
_patching = threading.Lock()


def installed_version() -> str:
    """The installed Whoosh's version, as "2.7.5"."""
    return whoosh.versionstring()


def unsupported(version: str, schema=SCHEMA) -> list[str]:
    """Why the fast rebuild and the reader patch may not be used; empty when they may."""
    reasons = []
    if version != SUPPORTED_VERSION:
        reasons.append(f"Whoosh {version} is installed, they were written for {SUPPORTED_VERSION}")
    # The fast rebuild's add_document writes no term vectors and no separate spelling words.
    needs = sorted(
        name for name, field in schema.items() if field.vector or field.separate_spelling()
    )
    if needs:
        reasons.append(f"fields {', '.join(needs)} need Whoosh's own add_document")
    return reasons


def start(version: str | None = None, schema=SCHEMA) -> bool:
    """Check Whoosh once as the engine starts and patch its reader if allowed.

    Returns whether the fast rebuild may be used. `version` stands for the installed one.
    """
    version = installed_version() if version is None else version
    reasons = unsupported(version, schema)
    if reasons:
        log.warning(
            "Search index: %s; rebuilding with Whoosh's ordinary writer and reading field "
            "lengths its own way (slower, same results).",
            "; ".join(reasons),
        )
        return False
    patch_reader()
    return True


def patch_reader() -> None:
    """Give Whoosh's per-document reader the cached column reader below, once per process."""
    with _patching:
        if W3PerDocReader._cached_reader is not cached_column_reader:
            W3PerDocReader._cached_reader = cached_column_reader


def reader_patched() -> bool:
    """Whether this process's Whoosh reads columns through cached_column_reader."""
    return W3PerDocReader._cached_reader is cached_column_reader


def cached_column_reader(self, fieldname, column):
    """W3PerDocReader._cached_reader, remembering a missing column and loading lengths once.

    Whoosh asks for a document's field length for every posting it writes and every match it
    scores. For a field without lengths (ids, keywords) it looked for the missing column file
    each time, one stat() per posting: a segment's files never change once written, so a miss
    is final. Lengths (a byte per document) are read into memory once, not from the file per
    call.
    """
    try:
        return self._readers[fieldname]
    except KeyError:
        reader = None
        if not self.has_column(fieldname) and not self.has_column("_stored"):
            # Every segment has a stored-fields column: with it gone, the segment itself was
            # merged or rebuilt away by another process, and the miss is not final. Whoosh's
            # own reader fails the same way, and IndexStore.read opens a new searcher.
            raise FileNotFoundError(W3Codec.column_filename(self._segment, fieldname)) from None
        if self.has_column(fieldname):
            reader = self.column_reader(fieldname, column)
            if column is LENGTHS_COLUMN:
                # A byte a document from where the column starts, read in one piece (its own
                # load() reads them a byte at a time: 100,000 file reads a field).
                lengths = array("B", reader._dbfile.get(reader._basepos, reader._count))
                lengths.extend([0] * (self._doccount - len(lengths)))  # as a short column reads
                reader = lengths
        self._readers[fieldname] = reader
        return reader


def term_docnums(reader, fieldname: str, term: str) -> np.ndarray:
    """The docnums of the documents with a term, deleted ones left out, in one array.

    Whoosh hands them out a matcher call at a time: for a term 18,000 profiles use, 18,000
    calls each of id() and next(), most of a profile page's "similar organisations" the first
    time they are read. A segment of the fast rebuild has them listed (docnum_lists.py); in
    others, on the release this was written for (with the reader patch applied), each block
    of postings is decoded whole instead.
    """
    parts = []
    for leaf, offset in reader.leaf_readers():
        docnums = docnum_lists.docnums(leaf, term) if fieldname == docnum_lists.FIELD else None
        if docnums is None:
            docnums = term_postings(leaf, fieldname, term, weights=False)[0]
        if len(docnums):
            parts.append(docnums + offset)
    if not parts:
        return np.zeros(0, dtype=np.int32)
    return np.concatenate(parts).astype(np.int32)


def term_postings(
    leaf, fieldname: str, term: str, weights: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """One segment's docnums with a term (deleted ones left out) and the term's weight in each
    (empty without `weights`), decoded a block at a time as term_docnums does."""
    try:
        matcher = leaf.postings(fieldname, term)
    except TermNotFound:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    deleted = None
    if isinstance(matcher, FilterMatcher) and matcher._exclude:
        deleted, matcher = matcher._ids, matcher.child
    if reader_patched() and isinstance(matcher, W3LeafMatcher) and not matcher._byteids:
        ids, found = _decoded_blocks(matcher, weights)
    else:
        ids, found = _walked(matcher, weights)
    if deleted:
        kept = ~np.isin(ids, np.fromiter(deleted, dtype=np.int64, count=len(deleted)))
        ids, found = ids[kept], (found[kept] if weights else found)
    return ids, found


def _walked(matcher, weights: bool) -> tuple[np.ndarray, np.ndarray]:
    # Whoosh's own walk, a posting at a time.
    ids, found = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        if weights:
            found.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(found, dtype=np.float64)


def _decoded_blocks(matcher, weights: bool) -> tuple[np.ndarray, np.ndarray]:
    ids, found = [], []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        # A block keeps its docnums as differences from the one before, the first from 0.
        ids.append(np.cumsum(np.asarray(matcher._data[0], dtype=np.int64)))
        if weights:
            # As W3LeafMatcher._read_weights reads them: none stored is 1.0 each, one number
            # stands for every posting of the block.
            stored = matcher._data[1]
            if stored is None or isinstance(stored, float):
                value = 1.0 if stored is None else stored
                found.append(np.full(matcher._blocklength, value, dtype=np.float64))
            else:
                found.append(np.asarray(stored, dtype=np.float64))
        matcher._next_block()
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(ids), (np.concatenate(found) if weights else np.zeros(0))


def field_lengths(leaf, fieldname: str, default: float = 0.0) -> np.ndarray | None:
    """Every document's length of a field in one segment, as doc_field_length reads each
    (`default` for a field without lengths); None where only Whoosh's own reader may be used.

    The patched reader holds a segment's length bytes in memory: they are translated at once,
    not through 100,000 calls of doc_field_length when a generation is first read.
    """
    if not reader_patched():
        return None
    size = leaf.doc_count_all()
    stored = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if stored is None:
        return np.full(size, default, dtype=np.float64)
    return BYTE_LENGTHS[np.asarray(stored, dtype=np.uint8)[:size]]

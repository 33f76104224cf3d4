"""Each term's docnums in a segment of the fast rebuild, in files of their own beside it.

"Similar organisations" reads the docnums of a profile's uncommon terms. Through Whoosh's
postings that is a block decompressed and unpickled at a time: at 100,000 organisations,
10-20 ms for a profile whose terms no earlier page read. The fast rebuild holds each segment's
postings sorted by term anyway, so it also writes the text field's docnums as three NumPy
arrays (the terms in order, where each term's docnums start, the docnums); a read is a binary
search in the terms, held in memory, and one read of the term's docnums from the file. They
are read, not mapped: a mapped file's pages count in every worker's resident memory, and the
docnums of 100,000 organisations are 28 MB. The files are named after their segment, so
Whoosh deletes them with it. Segments Whoosh's own writer makes (later edits, merges) have
none, and their postings are read as before.
"""

from __future__ import annotations

import os

import numpy as np

# The field "similar organisations" reads (engine.py).
FIELD = "text"
# The terms, the start of each term's docnums (one more than the terms), the docnums.
EXTENSIONS = (".dlt.npy", ".dls.npy", ".dld.npy")
_NONE = np.zeros(0, dtype=np.int32)
# The longest term listed, in bytes; a longer one (a run of letters with no break) is read
# from the postings, so that one such word does not widen every term of the segment's file.
LONGEST = 64


class DocnumLists:
    """One segment's docnums of each term of FIELD, deleted documents included."""

    def __init__(self, terms: np.ndarray, starts: np.ndarray, path: str):
        self.terms, self.starts, self.path = terms, starts, path
        # Where the docnums begin in their file, after NumPy's header, and how they are stored.
        mapped = np.load(path, mmap_mode="r")
        self.offset, self.dtype = mapped.offset, mapped.dtype
        del mapped

    def of(self, term: bytes) -> np.ndarray:
        """The docnums with this term, in order; none for a term the segment lacks."""
        place = int(np.searchsorted(self.terms, term))
        if place == len(self.terms) or self.terms[place] != term:
            return _NONE
        start, end = int(self.starts[place]), int(self.starts[place + 1])
        size = self.dtype.itemsize
        with open(self.path, "rb") as file:
            file.seek(self.offset + start * size)
            return np.frombuffer(file.read((end - start) * size), dtype=self.dtype)


def write(storage, segment, terms: list[bytes], starts: np.ndarray, docnums: np.ndarray) -> None:
    """Write a segment's lists: `terms` sorted, `starts` one longer, into a folder's files.

    Terms longer than LONGEST are left out (the terms are stored at the longest one's width):
    theirs are read from the postings.
    """
    folder = getattr(storage, "folder", None)
    if folder is None:  # an index in memory: its postings are read instead
        return
    kept = [number for number, term in enumerate(terms) if len(term) <= LONGEST]
    if len(kept) < len(terms):
        parts_of = [docnums[starts[number] : starts[number + 1]] for number in kept]
        sizes = [len(part) for part in parts_of]
        docnums = np.concatenate(parts_of) if parts_of else docnums[:0]
        starts = np.concatenate(([0], np.cumsum(sizes, dtype=np.int64)))
        terms = [terms[number] for number in kept]
    width = max((len(term) for term in terms), default=1)
    parts: tuple[np.ndarray, ...] = (
        np.array(terms, dtype=f"S{width}"),
        np.asarray(starts, dtype=np.int64),
        np.asarray(docnums, dtype=np.int32),
    )
    for extension, part in zip(EXTENSIONS, parts, strict=True):
        np.save(os.path.join(folder, segment.make_filename(extension)), part)


def docnums(leaf, term: str) -> np.ndarray | None:
    """The segment's docnums with a term of FIELD, deleted ones left out; None where the
    segment has no lists or they leave the term out."""
    encoded = term.encode("utf-8")
    lists = of_leaf(leaf) if len(encoded) <= LONGEST else None
    if lists is None:
        return None
    try:
        found = lists.of(encoded)
    except FileNotFoundError:  # a removed index's, still open in an old searcher
        return None
    if len(found) and leaf.has_deletions():
        deleted = np.fromiter(leaf._segment.deleted_docs(), dtype=np.int32)
        found = found[~np.isin(found, deleted)]
    return found


def of_leaf(leaf) -> DocnumLists | None:
    """A segment reader's lists, or None where its segment has none.

    Kept with the segment reader, and gone with it: a cache of its own would hold the memory
    maps of index folders a rebuild has since removed, and their disk space with them.
    """
    if not hasattr(leaf, "_docnum_lists"):
        leaf._docnum_lists = _opened(leaf)
    return leaf._docnum_lists


def _opened(leaf) -> DocnumLists | None:
    folder = getattr(getattr(leaf, "_storage", None), "folder", None)
    segment = getattr(leaf, "_segment", None)
    if folder is None or segment is None:
        return None
    base = os.path.join(folder, segment.segment_id())
    terms, starts, docnums = (base + extension for extension in EXTENSIONS)
    try:
        return DocnumLists(np.load(terms), np.load(starts), docnums)
    except FileNotFoundError:
        return None

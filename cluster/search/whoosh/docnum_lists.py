"""Each term's docnums in a segment of the fast rebuild, in files of their own beside it.

"Similar organisations" reads the docnums of a profile's uncommon terms. Through Whoosh's
postings that is a block decompressed and unpickled at a time: at 100,000 organisations,
10-20 ms for a profile whose terms no earlier page read. The fast rebuild holds each segment's
postings sorted by term anyway, so it also writes the text field's docnums as three NumPy
arrays (the terms in order, where each term's docnums start, the docnums); a read is a binary
search and a slice of a memory map. The files are named after their segment, so Whoosh deletes
them with it. Segments Whoosh's own writer makes (later edits, merges) have none, and their
postings are read as before.
"""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

# The field "similar organisations" reads (engine.py).
FIELD = "text"
# The terms, the start of each term's docnums (one more than the terms), the docnums.
EXTENSIONS = (".dlt.npy", ".dls.npy", ".dld.npy")
_NONE = np.zeros(0, dtype=np.int32)


class DocnumLists:
    """One segment's docnums of each term of FIELD, deleted documents included."""

    def __init__(self, terms: np.ndarray, starts: np.ndarray, docnums: np.ndarray):
        self.terms, self.starts, self.docnums = terms, starts, docnums

    def of(self, term: bytes) -> np.ndarray:
        """The docnums with this term, in order; none for a term the segment lacks."""
        place = int(np.searchsorted(self.terms, term))
        if place == len(self.terms) or self.terms[place] != term:
            return _NONE
        return self.docnums[self.starts[place] : self.starts[place + 1]]


def write(storage, segment, terms: list[bytes], starts: np.ndarray, docnums: np.ndarray) -> None:
    """Write a segment's lists: `terms` sorted, `starts` one longer, into a folder's files."""
    folder = getattr(storage, "folder", None)
    if folder is None:  # an index in memory: its postings are read instead
        return
    width = max((len(term) for term in terms), default=1)
    parts: tuple[np.ndarray, ...] = (
        np.array(terms, dtype=f"S{width}"),
        np.asarray(starts, dtype=np.int64),
        np.asarray(docnums, dtype=np.int32),
    )
    for extension, part in zip(EXTENSIONS, parts, strict=True):
        np.save(os.path.join(folder, segment.make_filename(extension)), part)


def of_leaf(leaf) -> DocnumLists | None:
    """A segment reader's lists, or None where its segment has none."""
    folder = getattr(getattr(leaf, "_storage", None), "folder", None)
    segment = getattr(leaf, "_segment", None)
    if folder is None or segment is None:
        return None
    return _opened(folder, segment.segment_id())


def docnums(leaf, term: str) -> np.ndarray | None:
    """The segment's docnums with a term of FIELD, deleted ones left out; None without lists."""
    lists = of_leaf(leaf)
    if lists is None:
        return None
    found = lists.of(term.encode("utf-8"))
    if len(found) and leaf.has_deletions():
        deleted = np.fromiter(leaf._segment.deleted_docs(), dtype=np.int32)
        found = found[~np.isin(found, deleted)]
    return found


# A segment's files never change once written, and a new segment has a new id; an open
# memory map outlives the files' deletion.
@lru_cache(maxsize=256)
def _opened(folder: str, segment_id: str) -> DocnumLists | None:
    base = os.path.join(folder, segment_id)
    try:
        parts = [np.load(base + extension, mmap_mode="r") for extension in EXTENSIONS]
    except FileNotFoundError:
        return None
    return DocnumLists(*parts)

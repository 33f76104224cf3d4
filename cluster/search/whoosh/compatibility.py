"""What the engine takes from Whoosh's internals, used only on the version it was written for.

The fast rebuild (fast_rebuild.py) writes into a segment writer's private buffers and the
reader patch below replaces a private method of Whoosh's per-document reader. Both were written
for one release; `start` checks, once the engine is created, that it is the release installed
and that the schema needs nothing the fast rebuild leaves out. On anything else a warning says
why and the engine uses Whoosh's own writer and reader: slower, never wrong.
tests/search/test_whoosh_internals.py compares both with Whoosh's own behaviour.
"""

from __future__ import annotations

import logging
import threading

import whoosh
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3PerDocReader

from .schema import SCHEMA

log = logging.getLogger(__name__)

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
                lengths = reader.load()
                lengths.extend([0] * (self._doccount - len(lengths)))  # as a short column reads
                reader = lengths
        self._readers[fieldname] = reader
        return reader

"""The index on disk, shared by every worker process and the command line.

Layout of INDEX_DIR: a file CURRENT naming the live index directory beside it. A rebuild writes
a fresh directory and then rewrites CURRENT in one atomic rename (switchover.py), so searches
keep working on the old index until the new one is complete.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import LockError

from .schema import SCHEMA

log = logging.getLogger(__name__)

POINTER = "CURRENT"
# How long one attempt waits for the shared write lock, and how long a write keeps trying.
LOCK_TIMEOUT = 2.0
WRITE_PATIENCE = 120.0
READ_ATTEMPTS = 20
# Segments stay separate files. Whoosh reads a file packed into a compound one by copying it
# whole into memory each time a reader opens it: every process opening the generation after
# an edit copied the 100,000 documents' postings and stored fields again (0.3-0.5 s).
COMPOUND = False


def open_index(path: Path):
    """The Whoosh index in a directory, read with SCHEMA.

    Not with the schema pickled in the index: that names the classes of its fields by module,
    and an index written before a module moved could not be opened at all.
    """
    return whoosh_index.open_dir(str(path), schema=SCHEMA)


def _close_all(searchers: set) -> None:
    for searcher in list(searchers):
        with contextlib.suppress(Exception):
            searcher.close()
    searchers.clear()


class IndexSwitched(Exception):
    """A rebuild made another directory live while a writer waited for the old one."""


class IndexStore:
    """The live index directory, its readers and writers (one object per engine)."""

    def __init__(self, root: Path):
        self.root = root
        self._local = threading.local()
        # Every thread's open searcher, closed with the store: their segment files are real
        # files (COMPOUND), which Python warns about when they are only garbage collected.
        self._open: set = set()
        weakref.finalize(self, _close_all, self._open)

    # --- directories ---------------------------------------------------------------------------

    @contextmanager
    def _root_lock(self):
        # Serialises creating the first index between processes starting at once.
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".create.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def read_pointer(self) -> str | None:
        """The name CURRENT holds, if any."""
        try:
            return (self.root / POINTER).read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def write_pointer(self, name: str) -> None:
        """Make `name` the live directory in one atomic rename."""
        temporary = self.root / f"{POINTER}.{uuid.uuid4().hex}"
        temporary.write_text(name, encoding="utf-8")
        os.replace(temporary, self.root / POINTER)

    def new_directory(self, prefix: str) -> tuple[str, Path]:
        """A new, empty, uniquely named directory beside the live one."""
        name = f"{prefix}-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        path = self.root / name
        path.mkdir(parents=True)
        return name, path

    def current_name(self) -> str:
        """The live index directory's name, creating an empty index the first time."""
        name = self.read_pointer()
        if name and (self.root / name).is_dir():
            return name
        with self._root_lock():
            name = self.read_pointer()
            if name and (self.root / name).is_dir():
                return name
            name, path = self.new_directory("index")
            whoosh_index.create_in(str(path), SCHEMA)
            self.write_pointer(name)
            return name

    def open_index(self):
        """The live index's name and a Whoosh index opened on it."""
        # Opening races with other processes' commits, which delete the files of the
        # generation being opened; the next attempt finds the newer one.
        for attempt in range(READ_ATTEMPTS):
            name = self.current_name()
            try:
                return name, open_index(self.root / name)
            except FileNotFoundError:
                if attempt == READ_ATTEMPTS - 1:
                    raise
                time.sleep(0.01)

    # --- reading ------------------------------------------------------------------------------

    def _searcher(self):
        """This thread's searcher, reopened whenever another commit has been made.

        Not Searcher.refresh(): it reuses readers of segments whose deletions have changed
        since, so an edited or deleted organisation would still be found.
        """
        local = self._local
        name = self.current_name()
        searcher = getattr(local, "searcher", None)
        if searcher is not None and local.pid == os.getpid() and local.name == name:
            if local.ix.latest_generation() == searcher.reader().generation():
                return searcher
            self._close(searcher)
        elif searcher is not None and local.pid == os.getpid():
            self._close(searcher)
        local.searcher = None
        name, local.ix = self.open_index()
        local.searcher, local.pid, local.name = local.ix.searcher(), os.getpid(), name
        self._open.add(local.searcher)
        return local.searcher

    def _close(self, searcher) -> None:
        self._open.discard(searcher)
        searcher.close()

    def generation_key(self, searcher) -> tuple[str, int]:
        """Which index directory and generation this thread's searcher reads."""
        return self._local.name, searcher.reader().generation()

    def read(self, read: Callable, *args):
        """Call read(searcher, *args), starting again with a new searcher if files vanished.

        A searcher opens some files only when first needed; another process's commit may
        have merged them away by then.
        """
        for attempt in range(READ_ATTEMPTS):
            try:
                return read(self._searcher(), *args)
            except FileNotFoundError:
                stale, self._local.searcher = getattr(self._local, "searcher", None), None
                if stale is not None:
                    self._open.discard(stale)
                    with contextlib.suppress(Exception):  # its files may be gone already
                        stale.close()
                if attempt == READ_ATTEMPTS - 1:
                    raise
                time.sleep(0.01)

    # --- writing ------------------------------------------------------------------------------

    def write(self, apply: Callable) -> None:
        """Run apply(writer) under the shared lock, waiting for other writers rather than failing.

        Whoosh allows one writer per index across every process; gunicorn workers and the
        command line take turns here. A rebuild may switch CURRENT while we wait, so the
        pointer is read again once the lock is held.
        """
        deadline = time.monotonic() + WRITE_PATIENCE
        while True:
            name, ix = self.open_index()
            try:
                writer = ix.writer(timeout=LOCK_TIMEOUT, delay=0.02, compound=COMPOUND)
            except LockError:
                if time.monotonic() > deadline:
                    raise
                log.info("Search index is busy; waiting for the write lock")
                continue
            except FileNotFoundError:
                continue  # a commit replaced the generation we opened; open the new one
            try:
                with writer:
                    if self.read_pointer() != name:
                        raise IndexSwitched  # leaving the block cancels the writer
                    apply(writer)
                return
            except IndexSwitched:
                continue

"""Making a rebuilt index live: writers of the old one finish, their writes are carried over."""

from __future__ import annotations

import shutil
import time

from whoosh.index import LockError

from .. import documents
from .schema import index_fields
from .storage import COMPOUND, LOCK_TIMEOUT, WRITE_PATIENCE, IndexStore, open_index

# Old index directories are removed after a rebuild once nobody can still be building them.
STALE_BUILD_SECONDS = 3600


def indexed_state(store: IndexStore, ix=None) -> tuple[int, dict[int, int]]:
    """The live index's generation and the version of every organisation in it."""
    if ix is None:
        _, ix = store.open_index()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        versions = {int(f["id"]): f["version"] for f in reader.all_stored_fields()}
        return reader.generation(), versions


def switch_to(store: IndexStore, name: str, start: tuple[int, dict[int, int]]) -> None:
    """Make `name` the live index once no writer is busy with the old one.

    `start` is indexed_state() from before the database was read for the rebuild.
    """
    old_name, old = store.open_index()
    lock = old.lock("WRITELOCK")  # the lock every IndexWriter takes
    deadline = time.monotonic() + WRITE_PATIENCE
    # Writers to the old index finish first; any later writer reads the new pointer.
    while not lock.acquire(blocking=False):
        if time.monotonic() > deadline:
            raise LockError("The search index stayed locked; the rebuild was not switched in.")
        time.sleep(0.02)
    try:
        _catch_up(store, old, name, start)
        store.write_pointer(name)
    finally:
        lock.release()
    _remove_old_directories(store, keep={name, old_name})


def _catch_up(store: IndexStore, old, name: str, start: tuple[int, dict[int, int]]) -> None:
    """Carry into the new index the writes made to the old one while it was being built.

    The old index is locked, so it holds every write finished so far; each organisation
    written since the build started is indexed again from the database.
    """
    from ..sync import load_organisations

    generation, versions = start
    if old.latest_generation() == generation:
        return
    _, now = indexed_state(store, old)
    changed = {i for i in versions.keys() | now.keys() if versions.get(i) != now.get(i)}
    if not changed:
        return
    orgs, missing = load_organisations(changed)
    new = open_index(store.root / name)
    with new.writer(timeout=LOCK_TIMEOUT, compound=COMPOUND) as writer:
        for org in orgs:
            writer.update_document(**index_fields(documents.document(org)))
        for org_id in missing:
            writer.delete_by_term("id", str(org_id))


def _remove_old_directories(store: IndexStore, keep: set[str]) -> None:
    cutoff = time.time() - STALE_BUILD_SECONDS
    for path in store.root.iterdir():
        if not path.is_dir() or path.name in keep:
            continue
        # A directory still being written may belong to another rebuild.
        if path.name.startswith("build-") and path.stat().st_mtime > cutoff:
            continue
        shutil.rmtree(path, ignore_errors=True)

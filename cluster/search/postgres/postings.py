"""Each lexeme's organisation ids as the last rebuild wrote them, patched by the change log.

A term's ids read through the GIN index cost a visit to each row holding it: at 100,000
organisations a term of 6,979 documents read 5,351 pages of search_documents (46 ms), and a
profile's "similar organisations" read twenty or thirty rare terms at a time. search_postings
holds every lexeme's ids packed in one value, so that a term costs one index lookup. A rebuild
writes it from the lexemes of the rows it builds (rebuilding.py); the writes after it leave it
alone, and a reader patches what it reads with the documents the change log (changes.py) names
since. When the log cannot tell, or names too many documents to patch cheaply, None says to
read the GIN index instead, until a rebuild writes them again, or a refresh does: after an
import indexed in batches, and at `flask init-db` (SearchBackend.settle).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

import numpy as np
import sqlalchemy as sa
from flask import current_app

from ...extensions import db
from . import changes, snapshots
from .facet_table import unpack
from .rows import batched

# Documents changed since the rebuild up to which reads are patched: each patch reads the
# lexemes of every one of them again.
MAX_PATCHED = 500

# (database, rebuild generation) of postings found too far behind the log: the documents
# changed since a rebuild only grow in number, so they stay so until the next rebuild or
# refresh (which writes a new generation into postings_of), and the
# log is not read again for them.
_behind: set[tuple[str, int]] = set()

WRITE = sa.text(
    "INSERT INTO search_postings (term, ids)"
    " SELECT * FROM unnest(CAST(:terms AS text[]), CAST(:ids AS bytea[]))"
)
# Lexemes written a statement at a time.
WRITTEN_AT_ONCE = 2000
READ = sa.text("SELECT term, ids FROM search_postings WHERE term = ANY(CAST(:terms AS text[]))")
# The lexemes among these of the documents changed since: pkey lookups, then their lexemes.
CHANGED = sa.text(
    "SELECT t.lexeme, string_agg(int4send(d.organisation_id), CAST('' AS bytea))"
    " FROM search_documents AS d, unnest(d.tsv) AS t"
    " WHERE d.organisation_id = ANY(:ids) AND t.lexeme = ANY(CAST(:terms AS text[]))"
    " GROUP BY t.lexeme"
)


# Every lexeme's ids as search_documents holds them, for a refresh.
ALL = sa.text(
    "SELECT t.lexeme, string_agg(int4send(d.organisation_id), CAST('' AS bytea)"
    " ORDER BY d.organisation_id)"
    " FROM search_documents AS d, unnest(d.tsv) AS t GROUP BY t.lexeme"
)


class Holders:
    """Each lexeme's ids as a rebuild's batches give them (rebuilding.built)."""

    def __init__(self) -> None:
        self.found: dict[str, list[np.ndarray]] = {}

    def add(self, batch: dict[str, np.ndarray]) -> None:
        for lexeme, ids in batch.items():
            self.found.setdefault(lexeme, []).append(ids)


def write(conn, holders: Holders) -> None:
    """Replace the postings with these (a rebuild's, before it commits)."""
    packed = (
        (term, np.sort(np.concatenate(holders.found[term])).astype(">i4").tobytes())
        for term in sorted(holders.found)
    )
    _write_packed(conn, packed)


def _write_packed(conn, found: Iterable[tuple[str, bytes]]) -> None:
    """Replace the postings with these (term, packed ids), a statement per chunk."""
    conn.execute(sa.text("DELETE FROM search_postings"))
    for chunk in batched(found, WRITTEN_AT_ONCE):
        conn.execute(WRITE, {"terms": [t for t, _ in chunk], "ids": [i for _, i in chunk]})


# (database, generation, postings' generation) -> the documents its readers patch, for the last
# few: a statement less for each read. A refresh writing the postings of the current generation
# moves the postings' generation and with it the key; a snapshot from before it still reads
# the older postings and patches them as before. (A database restored under the same address
# while a process runs needs the process restarted, as every cache keyed by generation does.)
_patched: OrderedDict[tuple[str, int, int], np.ndarray] = OrderedDict()
_patched_lock = threading.Lock()
PATCHES_KEPT = 8


def changed_since(snap: snapshots.Snapshot) -> np.ndarray | None:
    """The documents changed between the postings and the snapshot's generation, which a
    reader patches; None when the postings cannot be used (no postings, or too much changed)."""
    generation = snap.read_generation()
    base, since = snap.postings_of, snap.changes_since
    # A log cut or a TRUNCATE since the rebuild moved changes_since past it.
    if base is None or base < since:
        return None
    url = str(snap.conn.engine.url)
    key = (url, generation, base)
    with _patched_lock:
        kept = _patched.get(key)
    if kept is not None:
        return kept
    if (url, base) in _behind:
        return None
    changed = changes.logged_ids(snap.conn, base, generation)
    if changed is None or len(changed) > MAX_PATCHED:
        _behind.add((url, base))
        return None
    with _patched_lock:
        _patched[key] = changed
        while len(_patched) > PATCHES_KEPT:
            _patched.popitem(last=False)
    return changed


class _Superseded(Exception):
    """Newer postings, or a cut change log, were committed after the postings were read."""


# How long a refresh waits for the postings' table: a vacuum gives way to it, a rebuild
# writing its own (newer) postings does not, and the refresh then gives way.
LOCK_WAIT = "2s"
MOVED_ON = sa.text(
    "SELECT (postings_of IS NOT NULL AND postings_of >= :generation)"
    " OR changes_since > :generation FROM search_state"
)


def refresh() -> bool:
    """Write the postings again from search_documents as one snapshot holds them, if readers
    cannot use them; whether they were written.

    For a process that has just changed many documents at once or is starting (settle): one
    statement over every tsvector, about 9 s at 100,000 organisations on a quiet machine and
    26 s on a slow one, which is why a write of a few documents never does it. Newer postings
    are never replaced by older ones; a rebuild reaching its own postings meanwhile waits for
    this write (seconds), and one already writing them is not waited for.
    """
    with snapshots.snapshot() as snap:
        generation = snap.read_generation()
        if changed_since(snap) is not None:
            return False
        snap.allow_seqscan()
        found = [(term, bytes(ids)) for term, ids in snap.conn.execute(ALL)]
    try:
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'"))
            conn.execute(sa.text("LOCK TABLE search_postings IN SHARE ROW EXCLUSIVE MODE"))
            # Committed since the read, as the lock now keeps it: then nothing is written.
            if conn.execute(MOVED_ON, {"generation": generation}).scalar():
                raise _Superseded
            _write_packed(conn, found)
            # Last, so that writers wait on the generation's row only for this statement.
            moved = conn.execute(
                sa.text(
                    "UPDATE search_state SET postings_of = :generation"
                    " WHERE (postings_of IS NULL OR postings_of < :generation)"
                    " AND changes_since <= :generation"
                ),
                {"generation": generation},
            ).rowcount
            if not moved:
                raise _Superseded
    except _Superseded:
        current_app.logger.info("Search postings not written: newer ones were meanwhile")
        return False
    except sa.exc.OperationalError:
        current_app.logger.warning(
            "Search postings not written: their table is busy (a rebuild?)", exc_info=True
        )
        return False
    return True


def term_ids(snap: snapshots.Snapshot, terms: list[str]) -> dict[str, np.ndarray] | None:
    """Each term's organisation ids, sorted, at the snapshot's generation of search_documents;
    None when the postings cannot tell (no rebuild wrote them, or too much has changed since)."""
    changed = changed_since(snap)
    if changed is None:
        return None
    conn = snap.conn
    empty = np.zeros(0, dtype=np.int64)
    found = dict.fromkeys(terms, empty)
    for term, packed in conn.execute(READ, {"terms": terms}):
        found[term] = unpack(packed, ">i4")
    if len(changed):
        now: dict[str, bytes] = dict(
            conn.execute(CHANGED, {"ids": changed.tolist(), "terms": terms}).all()
        )
        for term in terms:
            kept = found[term][~np.isin(found[term], changed)]
            found[term] = np.union1d(kept, unpack(now.get(term), ">i4"))
    return found

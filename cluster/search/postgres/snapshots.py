"""The read snapshots of the PostgreSQL engine: one for a whole request, or one a read.

A profile page reads the index four times (its ETag, similar organisations, two match
searches) and each read on a connection of its own cost a BEGIN, a read of the generation and
a ROLLBACK: a dozen round trips of the page's thirty. Within a request the reads share one
read-only snapshot, opened by the first and closed with the request; the page then also
shows one state of the index throughout, the one its ETag names. Outside a request (the command
line, a test's app context) each read has a snapshot of its own, as a write in between must be
seen. A write of this process's drops the request's snapshot, so a read after it sees it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context

from ...extensions import db

if TYPE_CHECKING:
    from .facet_table import FacetTable

KEY = "_search_snapshot"


@dataclass
class Snapshot:
    conn: sa.Connection
    # search_state's generation as this snapshot sees it, once read, and the generations of
    # the postings and of the change log's start (postings.py), read with it.
    generation: int | None = None
    postings_of: int | None = None
    changes_since: int = 0

    # Whether `enable_seqscan` is off for the rest of the transaction (use_indexes).
    indexes_only: bool = False
    # The engine's facet table of this snapshot's generation, once found (engine.py): a
    # request's later reads keep it even when another thread has loaded a newer one.
    table: FacetTable | None = None

    def use_indexes(self) -> None:
        """Have the planner use the indexes (SET LOCAL enable_seqscan = off), once."""
        if not self.indexes_only:
            self.conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
            self.indexes_only = True

    def allow_seqscan(self) -> None:
        """Let the planner scan again, as a read of every row wants: with scans off, such a
        query costs so much to the planner that it is compiled by JIT (0.1 s more at
        100,000)."""
        if self.indexes_only:
            self.conn.execute(sa.text("SET LOCAL enable_seqscan = on"))
            self.indexes_only = False

    def read_generation(self) -> int:
        if self.generation is None:
            query = sa.text("SELECT generation, postings_of, changes_since FROM search_state")
            self.generation, self.postings_of, self.changes_since = self.conn.execute(query).one()
        return self.generation


def _opened() -> Snapshot:
    # Asked as options, the driver begins with them ("BEGIN ISOLATION LEVEL REPEATABLE READ
    # READ ONLY"), a statement less than a SET TRANSACTION after it; the pool sets the
    # connection back when it is returned.
    conn = db.engine.connect().execution_options(
        isolation_level="REPEATABLE READ", postgresql_readonly=True
    )
    return Snapshot(conn)


@contextmanager
def snapshot() -> Iterator[Snapshot]:
    """A snapshot all of whose statements see one state of the database, read only."""
    shared = has_request_context()
    # Taken off the request while in use: a read inside a read gets one of its own.
    found = g.pop(KEY, None) if shared else None
    found = found or _opened()
    try:
        yield found
    except BaseException:
        # The transaction may be aborted: never handed on.
        _close(found)
        raise
    if shared and KEY not in g:
        setattr(g, KEY, found)
    else:
        _close(found)


def _close(found: Snapshot) -> None:
    # Closing rolls back, which fails on a connection the server has dropped (a restart, an
    # idle-in-transaction timeout): the connection is then discarded, and the read or write
    # that closes it goes on.
    try:
        found.conn.close()
    except sa.exc.DBAPIError:
        current_app.logger.warning("A search snapshot could not be closed", exc_info=True)
        with suppress(sa.exc.DBAPIError):
            found.conn.invalidate()


def forget() -> None:
    """Close the request's snapshot, if any: this process has just written the index."""
    if has_request_context():
        close()


def close(error: BaseException | None = None) -> None:
    """Close the request's snapshot, if any (at the request's end)."""
    found = g.pop(KEY, None)
    if found is not None:
        _close(found)


def init_app(app: Flask) -> None:
    # With the request, not its app context: a request made inside an app context already
    # pushed (a test's, a script's) shares that one, which outlives it.
    app.teardown_request(close)

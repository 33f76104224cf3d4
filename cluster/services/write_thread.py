"""A transaction's bulk inserts sent by a thread of their own, while the caller goes on.

An import of a whole directory spends about a third of its rows' time waiting for PostgreSQL
to insert a batch: sent from a second thread on the same connection, the batch is written
while the next one is read and checked (the wait releases the GIL, and the server has a core
of its own). Nothing else may use the connection until `wait()` has returned, so the caller
waits before each statement of its own, before its commit and before a rollback. SQLite's
connections belong to the thread that opened them: there a statement is executed at once.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from typing import Any

import sqlalchemy as sa


class WriteThread:
    """Statements executed in the order sent, on one connection, by one thread."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        # Also what tells the callers they write to PostgreSQL.
        self.threaded = conn.dialect.name == "postgresql"
        self._pool = ThreadPoolExecutor(1, "bulk-insert") if self.threaded else None
        self._sent: list[Future] = []

    def send(self, statement: Any, params: dict[str, Any]) -> None:
        if self._pool is None:
            self.conn.execute(statement, params)
        else:
            self._sent.append(self._pool.submit(self.conn.execute, statement, params))

    def wait(self) -> None:
        """Until every statement sent has been executed; the first one's error is raised."""
        sent, self._sent = self._sent, []
        # Every one is waited for: after a failure the connection is still in use until the
        # statements behind it have failed too.
        errors = [future.exception() for future in sent]
        for error in errors:
            if error is not None:
                raise error

    def close(self) -> None:
        """Wait for what was sent, its errors left to the caller's rollback, and stop."""
        try:
            with suppress(Exception):  # the caller is rolling back already
                self.wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown()

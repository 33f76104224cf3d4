"""A whole rebuild of search_documents, in one transaction, its documents built in parallel."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from types import SimpleNamespace

import numpy as np
import sqlalchemy as sa
from flask import current_app

from ...extensions import db
from .. import documents, processes
from . import postings, rows
from .rows import batched, document_rows, write

# Forked processes building a rebuild's documents: one for each core of a small machine.
BUILDERS = 2


def rebuild(orgs: Iterable, progress: Callable[[int], None] | None = None) -> int:
    """Replace every row with those of these organisations; return how many were written."""
    # One transaction: readers keep the old rows until the new ones are committed. This
    # process reads the organisations and writes the rows (in a second thread, so that the
    # database's work overlaps); the documents, most of a rebuild's time, are built by forked
    # processes a batch at a time, or here where forking is not safe.
    done = 0
    # Each lexeme's ids, batch by batch, for search_postings (postings.py).
    holders = postings.Holders()
    with processes.forked_workers(built, BUILDERS) as submit, db.engine.begin() as conn:
        # The generation moves once, as the rebuild commits (see the search_state migration).
        conn.execute(sa.text("SET LOCAL cluster.search_rebuild = 'on'"))
        conn.execute(sa.text("DELETE FROM search_documents"))
        conn.execute(sa.text("DELETE FROM search_terms"))
        # Batches being built or written at once: each is a future, or rows built here.
        batches: queue.Queue = queue.Queue(maxsize=BUILDERS + 1)
        failure: list[BaseException] = []
        # How many each written batch held: progress counts what is written, not read, and is
        # told here, in the caller's thread (and context).
        written: list[int] = []
        told = 0

        def tell() -> None:
            nonlocal told
            if progress and sum(written) > told:
                told = sum(written)
                progress(told)

        def write_batches() -> None:
            while (batch := batches.get()) is not None:
                if not failure:
                    try:
                        batch_rows, batch_holders = (
                            batch.result() if isinstance(batch, Future) else batch
                        )
                        write(conn, batch_rows)
                        holders.add(batch_holders)
                        written.append(len(batch_rows))
                    except BaseException as error:  # noqa: BLE001 - re-raised by the building thread
                        failure.append(error)

        writer = threading.Thread(target=write_batches, name="search-rebuild-writer")
        writer.start()
        try:
            for batch in batched(orgs, rows.BATCH):
                if failure:
                    break
                batches.put(submit(list(map(plain, batch))) if submit else built(batch))
                done += len(batch)
                tell()
        finally:
            batches.put(None)
            writer.join()
        if failure:
            raise failure[0]
        tell()
        postings.write(conn, holders)
        conn.execute(sa.text("ANALYZE search_documents"))
        conn.execute(sa.text("ANALYZE search_terms"))
        # Every process reloads all its arrays after a rebuild: the change log starts anew,
        # and the postings stand for the new generation.
        conn.execute(
            sa.text(
                "UPDATE search_state SET generation = generation + 1,"
                " changes_since = generation + 1, postings_of = generation + 1"
            )
        )
        conn.execute(sa.text("DELETE FROM search_changes"))
    return done


def reclaim() -> None:
    """Vacuum the tables a rebuild emptied and filled again.

    Every old row is left dead: until a vacuum, every search reads past them (with three
    rebuilds' dead rows at 100,000, a profile page took twice as long), and a server without
    autovacuum never gets to them. Only once no transaction of the caller's, such as the one
    that read the organisations, still sees them. A failure is logged: the rebuild itself has
    committed.
    """
    try:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # Another rebuild's transaction would hold it up to the end: that one vacuums.
            conn.execute(sa.text("SET lock_timeout = '5s'"))
            conn.execute(sa.text("VACUUM search_documents, search_terms, search_postings"))
    except sa.exc.DBAPIError:
        current_app.logger.warning(
            "Could not vacuum the search tables after a rebuild", exc_info=True
        )


def built(orgs: list) -> tuple[list[dict], dict[str, np.ndarray]]:
    """A batch's rows (rows.document_row) and, for each of their lexemes, the ids holding it:
    made where the rows are, so that the postings cost the writing process nothing but a merge
    (the same read from the written rows in SQL took a rebuild 9 to 19 s more at 100,000)."""
    batch_rows = document_rows(orgs)
    found: dict[str, list[int]] = {}
    for row in batch_rows:
        for lexeme in rows.lexemes(row["tsv"]):
            found.setdefault(lexeme, []).append(row["organisation_id"])
    return batch_rows, {lexeme: np.array(ids, dtype=np.int32) for lexeme, ids in found.items()}


def plain(org) -> SimpleNamespace:
    """What a forked process is sent of an organisation: the values a document reads, as
    maintenance.organisation_rows gives them, not a mapped object."""
    if isinstance(org, SimpleNamespace):
        return org
    sectors = [SimpleNamespace(slug=s.slug, name=s.name, name_ru=s.name_ru) for s in org.sectors]
    return SimpleNamespace(
        **{name: getattr(org, name) for name in documents.COLUMNS}, sectors=sectors
    )

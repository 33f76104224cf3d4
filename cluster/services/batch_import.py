"""Importing a file of any size from the command line: read as a stream, written in batches.

The browser's import reads a file whole and writes it in chunks a request each (import_jobs.py).
The command line reads a CSV file row by row (its encoding found in a first pass over the
bytes), checks each row as the browser's import does, and writes every BATCH valid rows inside
one transaction: new organisations, their sector links and their revisions by a bulk insert
each, updated ones in one flush (planned_rows.write_in_bulk), the session emptied again, so
memory stays flat whatever the file's size. On PostgreSQL a batch's inserts are executed by a
thread of their own while the next batch is read and checked (write_thread.py). Once a
row is wrong nothing more is written, the rest is only checked (every error is reported), and
the transaction is rolled back: all or nothing, as in the browser. After the commit the search
index gets the organisations in batches (the session hooks would load them all at once).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from .. import search
from ..extensions import db
from ..models import Organisation, Sector
from ..search import maintenance, sync
from ..search.maintenance import organisation_count
from . import importer, spreadsheets, taxonomy
from .planned_rows import write_in_bulk, write_planned
from .write_thread import WriteThread

# Rows written per flush, and organisations indexed per index write.
BATCH = 1000
INDEX_BATCH = 2000
# An import writing at least this many organisations, half the directory or more, rebuilds
# the index instead.
REBUILD_FROM = 5000
# On PostgreSQL, an import writing at least this many has the tables it wrote analysed.
ANALYZE_FROM = 1000
# Bytes read at a time while finding a CSV file's encoding.
CHUNK = 1 << 20
# Told how much there is to do (bytes of a CSV file, rows of another), returns what to call
# with each step done (the CLI passes a click progress bar's update).
StartProgress = Callable[[int], Callable[[int], None]]
# A row as read: its record, or a message when the row cannot be a record at all.
Item = tuple[int, Mapping[str, Any] | str]


def csv_encoding(path: Path) -> str:
    """The encoding the browser's import would read this CSV file in (spreadsheets.decode_csv),
    found without holding the file in memory."""
    with path.open("rb") as file:
        start = file.read(4)
        if start.startswith(spreadsheets.UTF16_BOMS):
            return "utf-16"
        file.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset, utf8 = 0, True
        while chunk := file.read(CHUNK):
            if b"\x00" in chunk:
                raise spreadsheets.Unreadable(spreadsheets.not_text(offset + chunk.index(b"\x00")))
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            offset += len(chunk)
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        return "utf-8-sig"
    # Windows-1251 leaves one byte undefined: a file holding it is not text.
    with path.open("rb") as file:
        cp1251 = codecs.getincrementaldecoder("cp1251")()
        offset = 0
        while chunk := file.read(CHUNK):
            try:
                cp1251.decode(chunk)
            except UnicodeDecodeError as error:
                raise spreadsheets.Unreadable(spreadsheets.not_text(offset + error.start)) from None
            offset += len(chunk)
    return "cp1251"


def stream_csv(path: Path, step: Callable[[int], None] | None = None) -> Iterator[Item]:
    """A CSV file's rows as numbered records, read as they are needed; FileRefused for a file
    that cannot be read or whose header is wrong."""
    try:
        encoding = csv_encoding(path)
    except spreadsheets.Unreadable as error:
        raise importer.FileRefused(importer.problem(error.row, error.message)) from None
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))
    with path.open("rb") as binary:
        text = io.TextIOWrapper(binary, encoding=encoding, newline="")
        separator = spreadsheets.separator(text.readline())
        text.seek(0)
        done = 0
        for number, item in enumerate(
            importer.table_records(csv.reader(text, delimiter=separator))
        ):
            # The text stream reads ahead: the file's position is near enough.
            if step is not None and number % 500 == 0:
                position = binary.tell()
                step(position - done)
                done = position
            yield item
        if step is not None:
            step(os.fstat(binary.fileno()).st_size - done)


def import_path(
    path: str | Path,
    dry_run: bool = False,
    user=None,
    start_progress: StartProgress | None = None,
) -> importer.ImportReport:
    """Import a .csv (streamed, any size), .xlsx or .json file: all rows or, if any is invalid,
    none; errors as `row N, column C: message`."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            step = start_progress(path.stat().st_size) if start_progress else None
            return import_items(stream_csv(path, step), dry_run, user)
        rows = importer.read_file(path, limited=False)
    except importer.FileRefused as refused:
        return importer.ImportReport(
            errors=list(refused.args), error_count=refused.total, dry_run=dry_run
        )
    step = start_progress(len(rows)) if start_progress else None
    return import_items(_counted(rows, step), dry_run, user)


def _counted(rows: list[importer.NumberedRow], step) -> Iterator[Item]:
    for row in rows:
        yield row
        if step is not None:
            step(1)


def import_items(items: Iterable[Item], dry_run: bool = False, user=None) -> importer.ImportReport:
    """Check every row, writing the valid ones in batches until one is not; commit if none."""
    report = importer.ImportReport(dry_run=dry_run)
    writer = _Batches(report, dry_run, user)
    planner = importer.RowPlanner(taxonomy.sector_lookup(), report)
    batch: list[tuple[str, dict[str, Any]]] = []
    try:
        try:
            for number, item in items:
                report.rows += 1
                if isinstance(item, str):
                    report.add_error(number, item)
                    continue
                planned = planner.plan(number, item)
                if planned is not None:
                    batch.append(planned)
                if len(batch) >= BATCH:
                    writer.write(batch)
                    batch = []
            writer.write(batch)
            writer.inserts.wait()
        finally:
            # Before the commit or the rollback: the inserts' thread is done with the session.
            writer.inserts.close()
    except importer.FileRefused as refused:
        db.session.rollback()
        report.errors.extend(refused.args[: importer.MAX_PROBLEMS - len(report.errors)])
        report.error_count += refused.total
        report.created, report.updated, report.unchanged = [], [], []
        return report
    except BaseException:
        db.session.rollback()
        raise
    if dry_run or not report.ok:
        db.session.rollback()
        if not report.ok:
            # As the browser's import: a refused file reports its errors, not what it held.
            report.created, report.updated, report.unchanged = [], [], []
        return report
    # The session hooks would load every organisation of the file at once: index in batches.
    db.session.info.pop(sync.CHANGED, None)
    db.session.commit()
    report.written = True
    if len(writer.written) >= ANALYZE_FROM and db.session.get_bind().dialect.name == "postgresql":
        # The planner learns the directory's new size now, not when autovacuum gets to it (if
        # it runs at all): with an empty table's statistics it read 100,000 organisations by
        # status to find the 30 of a profile's matches, 40 ms instead of a look-up by key.
        db.session.execute(sa.text("ANALYZE organisations"))
        db.session.execute(sa.text("ANALYZE organisation_sectors"))
        db.session.commit()
    if len(writer.written) >= REBUILD_FROM and 2 * len(writer.written) >= organisation_count():
        # Most of the directory is new: the rebuild's own writer is three times quicker per
        # document than adding them to the live index batch by batch.
        _logged(maintenance.reindex)
    else:
        index_in_batches(writer.written)
        # What readers patch by the change log is written again once it is too much to patch.
        _logged(search.backend().settle)
    return report


def index_in_batches(ids: list[int]) -> None:
    """Index these committed organisations INDEX_BATCH at a time; a failure is logged."""
    engine = search.backend()
    for start in range(0, len(ids), INDEX_BATCH):
        if not _logged(sync.update_index, engine, ids[start : start + INDEX_BATCH]):
            return


def _logged(update, *args) -> bool:
    """Run an index update after the commit; a failure is logged, never raised."""
    try:
        update(*args)
    except Exception:
        current_app.logger.exception(
            "The search index could not be updated after an import; "
            "run `flask search-check` and `flask reindex`"
        )
        return False
    return True


class _Batches:
    """Writes batches of planned rows in the open transaction, until a row has an error."""

    def __init__(self, report: importer.ImportReport, dry_run: bool, user) -> None:
        self.report = report
        self.dry_run = dry_run
        self.user = user
        self.existing = set(db.session.scalars(sa.select(Organisation.slug)))
        self.written: list[int] = []
        # The batch's inserts are executed while the next batch is read and checked.
        self.inserts = WriteThread(db.session.connection())

    def write(self, planned: list[tuple[str, dict[str, Any]]]) -> None:
        report = self.report
        # The previous batch written: the connection is this thread's again.
        self.inserts.wait()
        loaded = importer.load_by_slug(slug for slug, _ in planned if slug in self.existing)
        if not report.ok or self.dry_run:
            write_planned(planned, loaded, report, writing=False)
            return
        user_id = getattr(self.user, "id", None)
        note = _("Imported from a file")
        self.written.extend(write_in_bulk(planned, loaded, report, user_id, note, self.inserts))
        # Sectors stay: the next batch's records point at them.
        for obj in list(db.session):
            if not isinstance(obj, Sector):
                db.session.expunge(obj)

"""Import organisations from CSV, Excel (.xlsx) or JSON files, all or nothing, with a row-by-row
report (spreadsheets.py reads workbooks and finds a CSV's encoding and separator).

Rows are numbered as a spreadsheet shows them: in a CSV file the header is row 1, so the first
organisation is row 2 (a cell with line breaks inside still counts as one row). A JSON file is a
list of objects, and row 1 is its first object. Header problems are reported as row 1.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from .. import fields
from ..extensions import db
from ..models import Organisation
from . import records, revisions, slugs, spreadsheets, taxonomy
from .exporter import restore
from .planned_rows import write_planned

NumberedRow = tuple[int, Mapping[str, Any]]
# Wraps the rows to show progress (the CLI passes a click progress bar); returns an iterable.
Progress = Callable[[list[NumberedRow]], Iterable[NumberedRow]]

FORMATS = (".csv", ".xlsx", ".json")
# A file read whole: bigger is refused, not read (the command line streams a CSV of any size).
MAX_FILE_BYTES = 64 * 1024 * 1024
# Organisations fetched per query when loading the ones a file updates.
LOAD_CHUNK = 500
# Problems listed in full on a page or the command line; the rest are only counted. A 10 MB
# file of [1,1,...] has five million, which as text took gigabytes to show.
MAX_PROBLEMS = 200


@dataclass
class ImportReport:
    """What an import did, or would do on a dry run: slugs created and updated, and errors."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    # Rows naming an existing organisation whose values are already the same.
    unchanged: list[str] = field(default_factory=list)
    # "row N, column C: message", in row order: the first MAX_PROBLEMS of error_count.
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    rows: int = 0
    dry_run: bool = False
    # True once the changes are committed: never on a dry run or when any row is invalid.
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.error_count

    @property
    def more_errors(self) -> int:
        """How many errors were counted but not listed."""
        return max(0, self.error_count - len(self.errors))

    def add_error(self, row: int, message: str, column: str | None = None) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_PROBLEMS:
            self.errors.append(problem(row, message, column))


class FileRefused(Exception):
    """The file as a whole cannot be read; args are the first reasons, `total` their number."""

    def __init__(self, *reasons: str, total: int | None = None):
        super().__init__(*reasons[:MAX_PROBLEMS])
        self.total = max(len(reasons), total or 0)


class Problems:
    """Problems found while reading a file: the first MAX_PROBLEMS as text, all counted."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.total = 0

    def add(self, row: int, message: str, column: str | None = None) -> None:
        self.total += 1
        if len(self.shown) < MAX_PROBLEMS:
            self.shown.append(problem(row, message, column))

    def refuse(self, *more: str) -> None:
        """Raise FileRefused with these problems (and more), if there are any."""
        if self.total or more:
            shown = self.shown[: MAX_PROBLEMS - len(more)]
            raise FileRefused(*shown, *more, total=self.total + len(more))


def problem(row: int, message: str, column: str | None = None) -> str:
    """One line of a report, "row N, column C: message", in the reader's language."""
    if column:
        return _(
            "row %(row)d, column %(column)s: %(message)s", row=row, column=column, message=message
        )
    return _("row %(row)d: %(message)s", row=row, message=message)


# Reading files -------------------------------------------------------------------------------


def read_file(path: str | Path, limited: bool = True) -> list[NumberedRow]:
    """Read a .csv, .xlsx or .json file into numbered records; FileRefused if it is unreadable.

    Limited, a file over MAX_FILE_BYTES is refused unread: the browser's uploads (IMPORT_MAX_BYTES,
    smaller) and import_file. The command line streams a CSV file of any size (batch_import.py).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise FileRefused(
            problem(1, _("expected a .csv, .xlsx or .json file, not %(name)r", name=path.name))
        )
    if limited and path.stat().st_size > MAX_FILE_BYTES:
        raise FileRefused(
            problem(1, _("the file is larger than %(mb)d MB", mb=MAX_FILE_BYTES // 2**20))
        )
    return read_bytes(path.read_bytes(), suffix.lstrip("."))


def read_bytes(data: bytes, file_format: str) -> list[NumberedRow]:
    """Read the contents of an uploaded or stored file in the given format (csv, xlsx or json)."""
    try:
        if file_format == "xlsx":
            first_row, rows = spreadsheets.xlsx_rows(data)
            # A workbook's cells hold text as typed: the export adds no "'" to them.
            return read_table(rows, first_row, unquote=False)
        if file_format == "csv":
            decoded = spreadsheets.decode_csv(data)
            return read_csv(decoded.text, decoded.separator)
    except spreadsheets.Unreadable as error:
        raise FileRefused(problem(error.row, error.message, error.column)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        message = _(
            "the file is not UTF-8 text (byte %(byte)d); save it as CSV UTF-8", byte=error.start
        )
        raise FileRefused(problem(1, message)) from None
    return read_json(text) if file_format == "json" else read_csv(text)


def read_csv(text: str, delimiter: str | None = None) -> list[NumberedRow]:
    """Parse CSV text (header row first, columns in any order) into numbered records."""
    # The csv module refuses cells over 128 KiB; let long cells through so the column check
    # can name the column and its limit (the file size is capped before this).
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))
    separator = delimiter or spreadsheets.separator(text)
    return read_table(csv.reader(io.StringIO(text, newline=""), delimiter=separator))


def read_table(
    table: Iterable[list[str]], first_row: int = 1, unquote: bool = True
) -> list[NumberedRow]:
    """Rows of cells, the header first (row `first_row`), into numbered records."""
    problems = Problems()
    numbered: list[NumberedRow] = []
    try:
        for number, item in table_records(table, first_row, unquote):
            if isinstance(item, str):
                problems.add(number, item)
            else:
                numbered.append((number, item))
    except Unreadable as unreadable:
        problems.refuse(*unreadable.args)
    problems.refuse()
    return numbered


class Unreadable(FileRefused):
    """The CSV module could not read on from this row (the rows before it were read)."""


def table_records(
    table: Iterable[list[str]], first_row: int = 1, unquote: bool = True
) -> Iterator[tuple[int, Mapping[str, Any] | str]]:
    """Rows of cells, the header first, as numbered records, read as they are asked for; a
    row that cannot be a record comes as the message saying why. FileRefused for a header
    that is wrong, Unreadable where the CSV module gives up."""
    rows = iter(table)
    number, header = first_row, None
    try:
        header = next(rows, None)
        if header is None:
            raise FileRefused(problem(1, _("the file is empty; the first row names the columns")))
        columns = _check_header(_without_trailing_blanks(header))
        for number, cells in enumerate(rows, start=first_row + 1):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines between or after the rows
            if len(cells) > len(columns):
                cells = _without_trailing_blanks(cells, keep=len(columns))
            if len(cells) > len(columns):
                message = ngettext(
                    "%(num)d cell, but the header names %(columns)d columns "
                    "(a comma or quote out of place?)",
                    "%(num)d cells, but the header names %(columns)d columns "
                    "(a comma or quote out of place?)",
                    len(cells),
                    columns=len(columns),
                )
                yield number, message
                continue
            # Spreadsheets drop trailing empty cells: a short row means empty values.
            cells += [""] * (len(columns) - len(cells))
            # restore drops the "'" an export puts before a formula trigger.
            record = {
                column: restore(cell) if unquote and "'" in cell else cell
                for column, cell in zip(columns, cells, strict=True)
            }
            yield number, record
    except csv.Error as error:
        row = number + 1 if header else 1
        raise Unreadable(problem(row, _("cannot read the CSV: %(error)s", error=error))) from None


def read_json(text: str) -> list[NumberedRow]:
    """Parse a JSON list of objects keyed by the CSV column names into numbered records."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise FileRefused(problem(1, _("not valid JSON: %(error)s", error=error))) from None
    if not isinstance(data, list):
        raise FileRefused(problem(1, _("expected a JSON list of organisation objects")))
    numbered: list[NumberedRow] = []
    problems = Problems()
    not_an_object = _("expected an object with the column names as keys")
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            problems.add(number, not_an_object)
            continue
        for key in item:
            if key not in fields.COLUMNS:
                problems.add(number, _("unknown column"), key[:60])
        numbered.append((number, item))
    problems.refuse()
    return numbered


def _without_trailing_blanks(cells: list[str], keep: int = 0) -> list[str]:
    """The cells without the empty ones at the end (a spreadsheet pads rows to its widest)."""
    end = len(cells)
    while end > keep and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def _check_header(header: list[str]) -> list[str]:
    columns = [cell.strip().lower() for cell in header]
    problems = Problems()
    unknown = _("unknown column; known columns: %(columns)s", columns=", ".join(fields.COLUMNS))
    seen: set[str] = set()
    for position, column in enumerate(columns, start=1):
        if not column:
            problems.add(1, _("column %(position)d has no name", position=position))
        elif column not in fields.COLUMNS:
            problems.add(1, unknown, column[:60])
        elif column in seen:
            problems.add(1, _("named twice in the header"), column)
        seen.add(column)
    for column in fields.REQUIRED_COLUMNS:
        if column not in seen:
            problems.add(1, _("required column missing from the header"), column)
    problems.refuse()
    return columns


# Importing -----------------------------------------------------------------------------------


def import_file(
    path: str | Path, dry_run: bool = False, user=None, progress: Progress | None = None
) -> ImportReport:
    """Import a .csv or .json file: all rows or, if any row is invalid, none."""
    try:
        rows = read_file(path)
    except FileRefused as refused:
        return ImportReport(errors=list(refused.args), error_count=refused.total, dry_run=dry_run)
    return import_numbered(rows, dry_run=dry_run, user=user, progress=progress)


def import_rows(
    rows: Iterable[Mapping[str, Any]],
    dry_run: bool = False,
    user=None,
    first_row: int = 1,
    progress: Progress | None = None,
) -> ImportReport:
    """Import records keyed by the column names; row numbers in errors start at first_row."""
    numbered = list(enumerate(rows, start=first_row))
    return import_numbered(numbered, dry_run=dry_run, user=user, progress=progress)


def import_numbered(
    rows: list[NumberedRow], dry_run: bool = False, user=None, progress: Progress | None = None
) -> ImportReport:
    """Check every row, then create or update all of them in one transaction, or none.

    A row whose slug (given, or derived from the name) belongs to an organisation updates it;
    columns absent from the file are left as they are. `user` is the staff member importing,
    kept for the history of the change (None on the command line).
    """
    report = ImportReport(rows=len(rows), dry_run=dry_run)
    planned = _plan(progress(rows) if progress else rows, report)
    if not report.ok:
        return report

    existing = dict(db.session.execute(sa.select(Organisation.slug, Organisation.id)).all())
    loaded = load_by_slug(slug for slug, _ in planned if slug in existing)
    saved = write_planned(planned, loaded, report, writing=not dry_run)
    if not dry_run:
        revisions.record_many(saved, user, "import", note=_("Imported from a file"))
        db.session.commit()
        report.written = True
    return report


def _plan(rows: Iterable[NumberedRow], report: ImportReport) -> list[tuple[str, dict[str, Any]]]:
    """Each valid row's slug and parsed values; an error in the report for every invalid one."""
    planner = RowPlanner(taxonomy.sector_lookup(), report)
    return [planned for number, raw in rows if (planned := planner.plan(number, raw))]


class RowPlanner:
    """Checks rows one at a time, remembering the slugs earlier rows took."""

    def __init__(self, sectors, report: ImportReport) -> None:
        self.sectors = sectors
        self.report = report
        self.first_row_of: dict[str, int] = {}

    def plan(self, number: int, raw: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """The row's slug and parsed values, or None with its errors added to the report."""
        report = self.report
        values, errors = records.parse_record(raw, self.sectors)
        for error in errors:
            report.add_error(number, error.message, error.column)
        if errors:
            return None
        slug = values.get("slug") or slugs.slugify_name(values["name"])
        if not slug:
            report.add_error(number, _("cannot derive a slug from the name; give one"), "slug")
            return None
        if slug in self.first_row_of:
            message = _(
                "%(slug)r is already used by row %(row)d", slug=slug, row=self.first_row_of[slug]
            )
            report.add_error(number, message, "slug")
            return None
        self.first_row_of[slug] = number
        values["slug"] = slug
        return slug, values


def load_by_slug(slugs_to_load: Iterable[str]) -> dict[str, Organisation]:
    """The organisations with these slugs, their sectors loaded, in a few queries."""
    wanted = list(slugs_to_load)
    loaded: dict[str, Organisation] = {}
    for start in range(0, len(wanted), LOAD_CHUNK):
        chunk = wanted[start : start + LOAD_CHUNK]
        query = (
            sa.select(Organisation)
            .where(Organisation.slug.in_(chunk))
            .options(selectinload(Organisation.sectors))
        )
        loaded.update((org.slug, org) for org in db.session.scalars(query))
    return loaded

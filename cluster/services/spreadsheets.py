"""The files spreadsheets write and read: .xlsx through openpyxl (no hand-written xlsx), and
CSV in the encoding and separator a spreadsheet saved it with.

In: the first sheet of a workbook, its first row the header; numbers Excel stores as numbers
come back as the digits people typed (2019, not 2019.0), dates as ISO dates, formulas as the
value Excel last showed. A CSV is UTF-8 (with or without a BOM) when it decodes as UTF-8, and
Windows-1251 otherwise: Russian Excel's "CSV (разделители — точки с запятой)" is Windows-1251,
and Cyrillic in Windows-1251 (bytes 0xC0-0xFF in a row) is never valid UTF-8, so the strict
UTF-8 check tells them apart for certain where a statistical detector guesses, and may guess
KOI8-R or Mac Cyrillic for a short file. The separator is the one that splits the header into
known column names: ",", ";" or a tab.

Out: one sheet, a bold frozen header of column names, numbers as numbers, and every text cell
typed as text with the text format "@", so a value starting with "=" is shown, never run, and
stays text when someone edits the cell; no "'" is added, so the data reads back unchanged.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from .. import fields
from ..fields import Kind
from ..models import Organisation
from . import records

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's own limit on the characters of one cell.
CELL_MAX = 32_767
# The most a workbook may unpack to: an upload is a zip, which may hide a far larger sheet.
UNPACKED_MAX = 256 * 2**20
# Column widths in characters: wide enough to read, narrow enough to see several columns.
WIDTH_MIN, WIDTH_MAX = 8, 50


def text_cell(sheet, value: str) -> WriteOnlyCell | None:
    """A cell that holds text whatever it starts with ("=" included); None (no cell) for ''."""
    if not value:
        return None
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value)[:CELL_MAX])
    cell.data_type = "s"
    cell.number_format = "@"
    return cell


def typed_cell(sheet, org: Organisation, column: str, text: str) -> WriteOnlyCell | None:
    """The column's value: a number cell for numbers, text otherwise."""
    value = getattr(org, column, None)
    field = fields.BY_NAME.get(column)
    if field is not None and field.kind is Kind.NUMBER and isinstance(value, int):
        return WriteOnlyCell(sheet, value)
    return text_cell(sheet, text)


def column_width(name: str) -> float:
    """A column's width in characters, from its name and the longest value it may hold."""
    field = fields.BY_NAME.get(name)
    longest = min(field.max_length, WIDTH_MAX) if field is not None else WIDTH_MAX
    return max(WIDTH_MIN, len(name), longest) + 2


def export_xlsx(
    orgs: Iterable[Organisation],
    columns: Sequence[str] = fields.COLUMNS,
    extra: Sequence[tuple[str, Callable[[Organisation], str]]] = (),
    sheet_title: str = "",
) -> bytes:
    """The organisations as an .xlsx workbook, a row each, written as it goes; `extra` adds
    columns at the end, each a name and a function giving the organisation's text."""
    names = [*columns, *(name for name, _value in extra)]

    def rows(sheet) -> Iterator[list[WriteOnlyCell | None]]:
        for org in orgs:
            record = records.to_text_record(org)
            yield [typed_cell(sheet, org, column, record[column]) for column in columns] + [
                text_cell(sheet, value(org)) for _name, value in extra
            ]

    # Widths from the field spec.
    return workbook(names, [column_width(name) for name in names], rows, sheet_title)


def table_xlsx(
    header: Sequence[str], rows: Iterable[Sequence[object]], sheet_title: str = ""
) -> bytes:
    """A workbook of one table: a bold frozen header, whole numbers and amounts as number
    cells, anything else as text that never runs as a formula."""

    def cells(sheet) -> Iterator[list[WriteOnlyCell | None]]:
        for row in rows:
            yield [
                WriteOnlyCell(sheet, value)
                if isinstance(value, int | float) and not isinstance(value, bool)
                else text_cell(sheet, "" if value is None else str(value))
                for value in row
            ]

    widths = [max(WIDTH_MIN, len(name) + 4) for name in header]
    return workbook(header, widths, cells, sheet_title)


def workbook(
    header: Sequence[str],
    widths: Sequence[float],
    rows: Callable[[Any], Iterable[list[WriteOnlyCell | None]]],
    sheet_title: str = "",
) -> bytes:
    """One sheet as .xlsx bytes: the columns' widths (in characters), a bold frozen header,
    then the rows of cells `rows(sheet)` makes, written as they come."""
    book = Workbook(write_only=True)
    # The sheet's tab, in the reader's language; Excel allows 31 characters.
    sheet = book.create_sheet((sheet_title or _("Organisations"))[:31])
    sheet.freeze_panes = "A2"
    # A write-only sheet streams its rows, so widths come first.
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([bold_cell(sheet, name) for name in header])
    for row in rows(sheet):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bold_cell(sheet, text: str) -> WriteOnlyCell:
    """A header cell."""
    cell = WriteOnlyCell(sheet, text)
    cell.font = Font(bold=True)
    return cell


# Reading -------------------------------------------------------------------------------------

ENCODING_NAMES = {
    "utf-8-sig": "UTF-8",
    "utf-8": "UTF-8",
    "cp1251": "Windows-1251",
    "utf-16": "UTF-16",
}
# Excel's "Unicode text" is UTF-16 with a byte order mark.
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
SEPARATOR_NAMES = {",": ",", ";": ";", "\t": "tab"}


class Unreadable(Exception):
    """The file cannot be read: args are the message and the row (and column) it is about."""

    def __init__(self, message: str, row: int = 1, column: str | None = None):
        super().__init__(message, row, column)
        self.message, self.row, self.column = message, row, column


@dataclass(frozen=True)
class DecodedCsv:
    text: str
    encoding: str
    separator: str

    @property
    def description(self) -> str:
        """How the file was read, for the preview: "Read as Windows-1251, separator ;"."""
        return _(
            "Read as %(encoding)s, separator %(separator)s.",
            encoding=ENCODING_NAMES[self.encoding],
            separator=_("tab") if self.separator == "\t" else self.separator,
        )


def decode_csv(data: bytes) -> DecodedCsv:
    """The text of a CSV file saved as UTF-8 (BOM or not), Windows-1251 or UTF-16 (BOM), and
    its separator. A NUL byte is in no text of these: such a file is not text at all."""
    encodings = ("utf-16",) if data.startswith(UTF16_BOMS) else ("utf-8-sig", "cp1251")
    if encodings != ("utf-16",) and b"\x00" in data:
        raise Unreadable(not_text(data.index(b"\x00")))
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            failure = error
            continue
        if encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8"
        return DecodedCsv(text, encoding, separator(text))
    raise Unreadable(not_text(failure.start))


def not_text(byte: int) -> str:
    return _(
        "the file is neither UTF-8 nor Windows-1251 text (byte %(byte)d); save it as CSV UTF-8",
        byte=byte,
    )


def describe(data: bytes, file_format: str) -> str:
    """How an import reads the file, for its preview ('' for JSON or a file it cannot read)."""
    if file_format == "xlsx":
        return _("Read from the first sheet of the workbook; its first row names the columns.")
    if file_format != "csv":
        return ""
    try:
        return decode_csv(data).description
    except Unreadable:
        return ""


def separator(text: str) -> str:
    """Comma, or the ";" or tab a spreadsheet in some locales writes, judged by the header."""
    first_line = text.split("\n", 1)[0]
    known = set(fields.COLUMNS)

    def score(candidate: str) -> int:
        return sum(cell.strip().lower() in known for cell in first_line.split(candidate))

    return max((",", ";", "\t"), key=score)


def cell_text(value) -> str:
    """A cell's value as the text a person typed in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def xlsx_rows(data: bytes) -> tuple[int, Iterator[list[str]]]:
    """The first sheet's first row number and its rows as text, read as they are needed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # zipfile never unpacks more than a member declares, so the declared sizes bound it.
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > UNPACKED_MAX:
            message = _("the workbook unpacks to more than %(mb)d MB", mb=UNPACKED_MAX // 2**20)
            raise Unreadable(message)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise Unreadable(_("the file is not an Excel workbook (.xlsx) that can be read")) from None
    if not book.worksheets:
        raise Unreadable(_("the workbook has no sheet"))
    sheet = book.worksheets[0]
    first = sheet.min_row or 1

    def rows() -> Iterator[list[str]]:
        try:
            for number, cells in enumerate(sheet.iter_rows(), start=first):
                yield [checked_text(cell, number, index) for index, cell in enumerate(cells, 1)]
        finally:
            book.close()

    return first, rows()


def checked_text(cell, row: int, position: int) -> str:
    """A cell's text; a cell that shows an error (#DIV/0!, #N/A) is refused with its place."""
    if getattr(cell, "data_type", "") == "e":
        message = _("the cell shows the spreadsheet error %(error)s", error=cell.value)
        raise Unreadable(message, row, get_column_letter(position))
    return cell_text(cell.value)

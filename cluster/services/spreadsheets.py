"""Excel workbooks in and out, through openpyxl (no hand-written xlsx).

Out: one sheet, a bold frozen header of column names, numbers as numbers, and every text cell
typed as text with the text format "@", so a value starting with "=" is shown, never run, and
stays text when someone edits the cell; no "'" is added, so the data reads back unchanged.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .. import fields
from ..fields import Kind
from ..models import Organisation
from . import records

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's own limit on the characters of one cell.
CELL_MAX = 32_767
# Column widths in characters: wide enough to read, narrow enough to see several columns.
WIDTH_MIN, WIDTH_MAX = 8, 50


def text_cell(sheet, value: str) -> WriteOnlyCell:
    """A cell that holds text whatever it starts with ("=" included)."""
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value)[:CELL_MAX])
    cell.data_type = "s"
    cell.number_format = "@"
    return cell


def typed_cell(sheet, org: Organisation, column: str, text: str) -> WriteOnlyCell:
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
    sheet_title: str = "organisations",
) -> bytes:
    """The organisations as an .xlsx workbook, a row each, written as it goes; `extra` adds
    columns at the end, each a name and a function giving the organisation's text."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title[:31])
    sheet.freeze_panes = "A2"
    names = [*columns, *(name for name, _value in extra)]
    # A write-only sheet streams its rows, so widths come first, from the field spec.
    for index, name in enumerate(names, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column_width(name)
    header = []
    for name in names:
        cell = text_cell(sheet, name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for org in orgs:
        record = records.to_text_record(org)
        sheet.append(
            [typed_cell(sheet, org, column, record[column]) for column in columns]
            + [text_cell(sheet, value(org)) for _name, value in extra]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

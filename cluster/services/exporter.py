"""Export organisations as CSV or JSON in exactly the format the importer reads.

CSV cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
return) get a leading "'" (OWASP's advice on CSV injection), and so does such a character after
anything a spreadsheet may split a cell at: a spreadsheet that reads ";" as the separator (the
usual choice in Russian-locale spreadsheets) splits `x;=2*21;y` into three cells and runs the
middle one, quoted or not, and a line break inside a cell starts a new row there. The importer
removes each such "'" again (restore), so an export imported into an empty directory gives the
same organisations.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from .. import fields
from ..extensions import db
from ..models import Organisation
from . import records, spreadsheets

FORMATS = ("csv", "json")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A place a spreadsheet may start a cell (after a comma, semicolon, tab or line break, and any
# spaces), then any quotes already there, before a formula trigger.
INNER_TRIGGER = re.compile(r"([,;\t\r\n] *)('*)(?=[=+\-@\t\r])")
# The same with the one quote neutralise added.
ADDED_QUOTE = re.compile(r"([,;\t\r\n] *)('*)'(?=[=+\-@\t\r])")


def neutralise(cell: str) -> str:
    """Put "'" before every formula trigger that could start a cell in a spreadsheet.

    Quotes already there are looked past, so a value that itself has "'=" gets one more quote
    and comes back unchanged from restore.
    """
    if cell.lstrip("'").startswith(FORMULA_TRIGGERS):
        cell = "'" + cell
    return INNER_TRIGGER.sub(r"\1\2'", cell)


def restore(cell: str) -> str:
    """Undo neutralise: drop the one "'" it put before each trigger."""
    cell = ADDED_QUOTE.sub(r"\1\2", cell)
    if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_TRIGGERS):
        return cell[1:]
    return cell


def export_csv(
    orgs: Iterable[Organisation],
    bom: bool = False,
    delimiter: str = ",",
    columns: Sequence[str] = fields.COLUMNS,
    extra: Sequence[tuple[str, Callable[[Organisation], str]]] = (),
) -> str:
    """The organisations as CSV text: a header of column names, one row each, cells neutralised.

    With bom=True the text starts with a byte order mark, which spreadsheet programs need to
    read UTF-8 (Cyrillic names) correctly; Excel in a Russian locale splits cells at ";".
    `extra` adds columns at the end, each a name and a function giving the organisation's text.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([*columns, *(name for name, _value in extra)])
    for org in orgs:
        record = records.to_text_record(org)
        cells = [record[column] for column in columns] + [value(org) for _name, value in extra]
        writer.writerow([neutralise(cell) for cell in cells])
    return ("\ufeff" if bom else "") + out.getvalue()


def export_excel_csv(
    orgs: Iterable[Organisation],
    columns: Sequence[str] = fields.COLUMNS,
    extra: Sequence[tuple[str, Callable[[Organisation], str]]] = (),
) -> str:
    """CSV as Excel in a Russian locale opens it with a double click: a BOM, ";" between cells."""
    return export_csv(orgs, bom=True, delimiter=";", columns=columns, extra=extra)


def export_json(orgs: Iterable[Organisation]) -> str:
    """The organisations as a JSON list of objects keyed by the column names."""
    data = [records.to_json_record(org) for org in orgs]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def export(orgs: Iterable[Organisation], file_format: str) -> str:
    """Export in the named format, "csv" or "json"."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown export format {file_format!r}")
    return export_csv(orgs) if file_format == "csv" else export_json(orgs)


# The files staff download: media type and file name extension of each.
DOWNLOADS = {
    "xlsx": (spreadsheets.XLSX_MEDIA_TYPE, "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "excel": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json; charset=utf-8", "json"),
}


def download(orgs: Sequence[Organisation], file_format: str) -> bytes:
    """An export as a file's bytes: xlsx, csv (a BOM, ","), excel (CSV for Excel: a BOM, ";")
    or json."""
    if file_format == "xlsx":
        return spreadsheets.export_xlsx(orgs)
    if file_format == "excel":
        return export_excel_csv(orgs).encode("utf-8")
    if file_format == "csv":
        # The byte order mark makes spreadsheets read the UTF-8 (Cyrillic names) correctly.
        return export_csv(orgs, bom=True).encode("utf-8")
    return export_json(orgs).encode("utf-8")


def select_organisations(statuses: Sequence[str] = ()) -> list[Organisation]:
    """Organisations with any of these statuses (all when none given), by slug, sectors loaded."""
    query = sa.select(Organisation).options(selectinload(Organisation.sectors))
    if statuses:
        query = query.where(Organisation.status.in_(list(statuses)))
    return list(db.session.scalars(query.order_by(Organisation.slug)))

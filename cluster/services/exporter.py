"""Export organisations as CSV or JSON in exactly the format the importer reads.

CSV cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
return) get a leading "'" (OWASP's advice on CSV injection); the importer removes that one "'"
again, so an export imported into an empty directory gives the same organisations.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from .. import fields
from ..extensions import db
from ..models import Organisation
from . import records

FORMATS = ("csv", "json")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Prefix "'" to a cell a spreadsheet would take for a formula.

    Leading quotes are looked past, so a value that itself starts with "'=" gets one more quote
    and comes back unchanged when the importer drops one.
    """
    if cell.lstrip("'").startswith(FORMULA_TRIGGERS):
        return "'" + cell
    return cell


def export_csv(orgs: Iterable[Organisation], bom: bool = False) -> str:
    """The organisations as CSV text: a header of column names, one row each, cells neutralised.

    With bom=True the text starts with a byte order mark, which spreadsheet programs need to
    read UTF-8 (Cyrillic names) correctly.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields.COLUMNS)
    for org in orgs:
        record = records.to_text_record(org)
        writer.writerow([neutralise(record[column]) for column in fields.COLUMNS])
    return ("\ufeff" if bom else "") + out.getvalue()


def export_json(orgs: Iterable[Organisation]) -> str:
    """The organisations as a JSON list of objects keyed by the column names."""
    data = [records.to_json_record(org) for org in orgs]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def export(orgs: Iterable[Organisation], file_format: str) -> str:
    """Export in the named format, "csv" or "json"."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown export format {file_format!r}")
    return export_csv(orgs) if file_format == "csv" else export_json(orgs)


def select_organisations(statuses: Sequence[str] = ()) -> list[Organisation]:
    """Organisations with any of these statuses (all when none given), by slug, sectors loaded."""
    query = sa.select(Organisation).options(selectinload(Organisation.sectors))
    if statuses:
        query = query.where(Organisation.status.in_(list(statuses)))
    return list(db.session.scalars(query.order_by(Organisation.slug)))

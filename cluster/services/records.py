"""Organisation records as text: check raw values, apply them, and write them back.

A record is a mapping keyed by the column names of the field spec (cluster/fields.py). Values
arrive as text (a CSV cell or a web form field) or, from JSON, as numbers, arrays and programme
objects. `parse_record` turns one record into clean model values plus a list of per-column
errors; `apply_record` assigns the values to an organisation. `to_text_record` and
`to_json_record` go the other way, in exactly the format `parse_record` reads, so an export can
be imported again unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from .. import fields
from ..fields import Kind
from ..models import Organisation, Sector, utcnow
from . import matchmaking, parsers

LIST_SEPARATOR = "; "
PROGRAMME_SEPARATOR = " | "


@dataclass(frozen=True)
class FieldError:
    """A value that cannot be stored, with the column it came from and why."""

    column: str
    message: str

    def __str__(self) -> str:
        return _("column %(column)s: %(message)s", column=self.column, message=self.message)


def parse_record(
    raw: Mapping[str, Any], sectors: dict[str, Sector] | None = None
) -> tuple[dict[str, Any], list[FieldError]]:
    """Clean one record's values; return them with an error for each column that is wrong.

    Only the columns present in `raw` are returned (keys other than the spec's are ignored), so
    an update from a file without, say, a `phone` column leaves the phone alone, while an empty
    value clears it. An empty `slug` comes back as "" (derive it from the name); an empty
    `residency` becomes "resident" and an empty `status` "published". `sectors` is the mapping
    from `taxonomy.sector_lookup()`; pass it in when parsing many records.
    """
    if sectors is None:
        from .taxonomy import sector_lookup

        sectors = sector_lookup()
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for column in fields.REQUIRED_COLUMNS:
        if not parsers.clean_line(_as_text_or_blank(raw.get(column))):
            errors.append(FieldError(column, _("required")))
    for field in fields.FIELDS:
        column = field.name
        if column not in raw or any(error.column == column for error in errors):
            continue
        parse = field.parse or parsers.sectors(sectors)
        try:
            values[column] = parse(raw[column])
        except parsers.Invalid as error:
            errors.append(FieldError(column, str(error)))
    return values, errors


def _as_text_or_blank(value: Any) -> str:
    try:
        return parsers.as_text(value)
    except parsers.Invalid:
        return "?"  # present but of the wrong type: its parser reports it


# Applying and comparing ----------------------------------------------------------------------


def apply_record(org: Organisation, values: dict[str, Any]) -> None:
    """Assign parsed values (from parse_record) to the organisation; never commits.

    What it offers and needs as canonical capabilities, and its quantities, follow the new
    text (services/matchmaking.py).
    """
    before = {column: list(getattr(org, column) or ()) for column in matchmaking.SOURCES}
    for column, value in values.items():
        if column == "slug" and not value:
            continue
        setattr(org, column, list(value) if isinstance(value, list) else value)
    if values.get("status") == "published" and org.published_at is None:
        org.published_at = utcnow()
    matchmaking.refresh(org, values, before)


def changed_columns(org: Organisation, values: dict[str, Any]) -> list[str]:
    """The columns whose parsed value differs from what the organisation holds now."""
    changed = []
    for column, value in values.items():
        if column == "slug" and not value:
            continue
        current = getattr(org, column)
        if column == "sectors":
            if {sector.slug for sector in current} != {sector.slug for sector in value}:
                changed.append(column)
        elif current != value and not (fields.is_empty(current) and fields.is_empty(value)):
            changed.append(column)
    return changed


# Writing records back ------------------------------------------------------------------------


def programme_text(programme: dict[str, str]) -> str:
    """One programme as "name | level | format | duration", trailing empty parts left out."""
    parts = [str(programme.get(key) or "") for key in parsers.PROGRAMME_PARTS]
    while len(parts) > 1 and not parts[-1]:
        parts.pop()
    return PROGRAMME_SEPARATOR.join(parts)


def text_items(org: Organisation, field: fields.Field) -> list[str]:
    """A list field's items as text: sector slugs, programme lines, or the items themselves."""
    value = getattr(org, field.name) or []
    if field.name == "sectors":
        return [sector.slug for sector in value]
    if field.kind is Kind.PROGRAMMES:
        return [programme_text(programme) for programme in value]
    return [str(item) for item in value]


def to_text_record(org: Organisation) -> dict[str, str]:
    """Every column of the organisation as text, as a CSV cell or a form field carries it."""
    record = {}
    for field in fields.FIELDS:
        if field.kind in (Kind.LIST, Kind.CHOICES, Kind.PROGRAMMES):
            record[field.name] = LIST_SEPARATOR.join(text_items(org, field))
        else:
            value = getattr(org, field.name)
            record[field.name] = "" if value is None else str(value)
    return record


def to_json_record(org: Organisation) -> dict[str, Any]:
    """Every column with its natural JSON type: arrays for lists, numbers or null for numbers."""
    record: dict[str, Any] = {}
    for field in fields.FIELDS:
        value = getattr(org, field.name)
        if field.name == "sectors":
            value = [sector.slug for sector in value]
        elif field.kind is Kind.PROGRAMMES:
            parts = parsers.PROGRAMME_PARTS
            value = [{key: p.get(key) or "" for key in parts} for p in value or []]
        elif isinstance(value, list):
            value = list(value)
        elif value is None:
            value = field.empty
        record[field.name] = value
    return record

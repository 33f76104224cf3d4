"""Organisation records as text: clean and check raw values, apply them, and write them back.

A record is a mapping keyed by the CSV column names. Values arrive as text (a CSV cell or a web
form field) or, from JSON, as numbers, arrays and programme objects. `parse_record` turns one
record into clean model values plus a list of per-column errors; `apply_record` assigns the
values to an organisation. `to_text_record` and `to_json_record` go the other way, in exactly the
format `parse_record` reads, so an export can be imported again unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from ..models import (
    KIND_LABELS,
    KINDS,
    LOOKING_FOR,
    RESIDENCIES,
    RESIDENCY_LABELS,
    STAGE_LABELS,
    STAGES,
    STATUSES,
    Organisation,
    Sector,
    utcnow,
)
from . import slugs

# The documented import columns, the header of data/demo.csv.
CSV_COLUMNS = (
    "slug", "name", "name_alt", "kind", "residency", "status", "summary", "description",
    "sectors", "tags", "capabilities", "needs", "looking_for", "stage", "funding_sought",
    "currency", "founded_year", "team_size", "city", "address", "building", "website", "email",
    "phone", "equipment", "min_order", "programmes",
)  # fmt: skip
# Every column a record may carry, in the order an export writes them.
COLUMNS = (*CSV_COLUMNS, "floor", "unit", "capacity", "social_links")
REQUIRED_COLUMNS = ("name", "kind")
# Columns holding a list of short texts, separated by ";" (or line breaks) in one cell.
LIST_COLUMNS = ("tags", "capabilities", "needs", "equipment", "social_links")
# Single-line text columns; their longest value comes from the model.
TEXT_COLUMNS = (
    "name", "name_alt", "summary", "city", "address", "building", "floor", "unit",
    "min_order", "capacity", "phone",
)  # fmt: skip
PROGRAMME_PARTS = ("name", "level", "format", "duration")

LIST_SEPARATOR = "; "
PROGRAMME_SEPARATOR = " | "
# description is TEXT in the database; this keeps one profile to a readable size.
DESCRIPTION_MAX = 20_000
ITEM_MAX = 200
LIST_MAX = 100
FUNDING_MAX = 10**15
TEAM_SIZE_MAX = 10_000_000
FIRST_FOUNDED_YEAR = 1800

# C0 and C1 control characters other than tab and line feed, which the cleaners handle.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
_SPACES = re.compile(r"[\t\r\n\x0b\x0c\x85\u2028\u2029]")
_LIST_SPLIT = re.compile(r"[;\r\n\u2028\u2029]")
# Thousands separators people type: spaces (also no-break ones), underscores, apostrophes.
_DIGIT_GROUPING = re.compile(r"[\s_'\u00a0\u202f]")
_CURRENCY = re.compile(r"[A-Z]{3}")
# "javascript:", "data:", "mailto:" ... a scheme is letters before ":" with no dot in them.
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_HOST = re.compile(r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_][\w-]*\.?|localhost", re.UNICODE)


@dataclass(frozen=True)
class FieldError:
    """A value that cannot be stored, with the column it came from and why."""

    column: str
    message: str

    def __str__(self) -> str:
        return f"column {self.column}: {self.message}"


class Invalid(ValueError):
    """Raised by a column parser; its text is the message shown to the person."""


def max_length(column: str) -> int:
    """The longest value the model's column holds."""
    if column == "description":
        return DESCRIPTION_MAX
    return cast(sa.String, Organisation.__table__.c[column].type).length or DESCRIPTION_MAX


# Cleaning ------------------------------------------------------------------------------------


def clean_line(text: str) -> str:
    """One line of text: breaks and tabs become spaces, other control characters go."""
    return _CONTROL.sub("", _SPACES.sub(" ", text)).strip()


def clean_multiline(text: str) -> str:
    """Text that keeps its line breaks (as \\n); tabs become spaces, other controls go."""
    text = _LINE_BREAKS.sub("\n", text).replace("\t", " ")
    return _CONTROL.sub("", text).strip()


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise Invalid("expected text, not true or false")
    if isinstance(value, (int, float, str)):
        return str(value)
    raise Invalid("expected text, not a list or object")


def _check_length(text: str, limit: int) -> str:
    if len(text) > limit:
        raise Invalid(f"at most {limit:,} characters allowed, got {len(text):,}")
    return text


def _items(value: Any) -> list[str]:
    """Split a list value (text separated by ";" or line breaks, or an array) into items."""
    if isinstance(value, (list, tuple)):
        pieces = []
        for item in value:
            pieces.extend(_LIST_SPLIT.split(_as_text(item)))
    else:
        pieces = _LIST_SPLIT.split(_as_text(value))
    items: list[str] = []
    seen: set[str] = set()
    for piece in pieces:
        item = clean_line(piece)
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            items.append(item)
    if len(items) > LIST_MAX:
        raise Invalid(f"at most {LIST_MAX} entries allowed, got {len(items)}")
    return items


def _choice(text: str, allowed: tuple[str, ...], labels: dict[str, str], what: str) -> str:
    key = clean_line(text).casefold()
    for value in allowed:
        if key in (value.casefold(), labels.get(value, value).casefold()):
            return value
    raise Invalid(f"unknown {what} {clean_line(text)[:60]!r}; use one of: {', '.join(allowed)}")


def _whole_number(text: str, limit: int) -> int | None:
    text = _DIGIT_GROUPING.sub("", clean_line(text))
    if not text:
        return None
    if not text.isascii() or not text.isdigit():
        raise Invalid(f"expected a whole number of 0 or more, got {text[:40]!r}")
    # Checked on the digits first: int() refuses very long digit strings with its own error.
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(limit)) or int(digits) > limit:
        raise Invalid(f"at most {limit:,} allowed")
    return int(digits)


def _url(text: str) -> str:
    url = clean_line(text)
    if not url:
        return ""
    _check_length(url, max_length("website"))
    if any(char.isspace() for char in url):
        raise Invalid("a web address cannot contain spaces")
    scheme = _SCHEME.match(url)
    if scheme and "://" not in url and "." not in scheme.group(1):
        raise Invalid(f"only http and https addresses are allowed, not {scheme.group(1)!r}")
    if "://" not in url:
        url = "https://" + url
    scheme_name, _, rest = url.partition("://")
    if scheme_name.lower() not in ("http", "https"):
        raise Invalid(f"only http and https addresses are allowed, not {scheme_name[:20]!r}")
    host = re.split(r"[/?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1]
    host = re.sub(r":\d{1,5}$", "", host)
    if not _HOST.fullmatch(host):
        raise Invalid(f"not a web address: {text[:60]!r}")
    return _check_length(scheme_name.lower() + "://" + rest, max_length("website"))


# Column parsers ------------------------------------------------------------------------------


def _parse_text(column: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        return _check_length(clean_line(_as_text(value)), max_length(column))

    return parse


def _parse_description(value: Any) -> str:
    return _check_length(clean_multiline(_as_text(value)), DESCRIPTION_MAX)


def _parse_list(value: Any) -> list[str]:
    items = _items(value)
    for item in items:
        if len(item) > ITEM_MAX:
            raise Invalid(f"each entry at most {ITEM_MAX} characters; {item[:40]!r}... is longer")
    return items


def _parse_links(value: Any) -> list[str]:
    links = []
    for item in _items(value):
        link = _url(item)
        if link not in links:
            links.append(link)
    return links


def _parse_slug(value: Any) -> str:
    slug = clean_line(_as_text(value)).lower()
    if slug and not slugs.is_valid_slug(slug):
        raise Invalid(
            "use lower-case Latin letters, digits and single hyphens "
            f"(at most {slugs.SLUG_MAX_LENGTH} characters)"
        )
    return slug


def _parse_kind(value: Any) -> str:
    return _choice(_as_text(value), KINDS, KIND_LABELS, "kind")


def _parse_residency(value: Any) -> str:
    text = _as_text(value)
    return _choice(text, RESIDENCIES, RESIDENCY_LABELS, "residency") if text.strip() else "resident"


def _parse_status(value: Any) -> str:
    text = _as_text(value)
    return _choice(text, STATUSES, {}, "status") if text.strip() else "published"


def _parse_stage(value: Any) -> str | None:
    text = _as_text(value)
    return _choice(text, STAGES, STAGE_LABELS, "stage") if text.strip() else None


def _parse_looking_for(value: Any) -> list[str]:
    return [_choice(item, LOOKING_FOR, {}, "looking_for value") for item in _items(value)]


def _parse_funding(value: Any) -> int | None:
    return _whole_number(_as_text(value), FUNDING_MAX)


def _parse_team_size(value: Any) -> int | None:
    return _whole_number(_as_text(value), TEAM_SIZE_MAX)


def _parse_founded_year(value: Any) -> int | None:
    text = clean_line(_as_text(value))
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        raise Invalid(f"expected a year such as 2015, got {text[:40]!r}")
    year, this_year = int(text), date.today().year
    if not FIRST_FOUNDED_YEAR <= year <= this_year:
        raise Invalid(f"expected a year between {FIRST_FOUNDED_YEAR} and {this_year}, got {year}")
    return year


def _parse_currency(value: Any) -> str:
    text = clean_line(_as_text(value)).upper()
    if text and not _CURRENCY.fullmatch(text):
        raise Invalid(f"expected a three-letter currency code such as RUB, got {text[:20]!r}")
    return text


def _parse_website(value: Any) -> str:
    return _url(_as_text(value))


def _parse_email(value: Any) -> str:
    text = clean_line(_as_text(value))
    if not text:
        return ""
    _check_length(text, max_length("email"))
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise Invalid(f"not a valid e-mail address: {error}") from None


def _parse_phone(value: Any) -> str:
    text = _check_length(clean_line(_as_text(value)), max_length("phone"))
    if text and not any(char.isdigit() for char in text):
        raise Invalid("a phone number needs digits")
    return text


def _programme_part(text: str) -> str:
    part = clean_line(text)
    if "|" in part or ";" in part:
        raise Invalid("a programme's name, level, format and duration cannot contain | or ;")
    return _check_length(part, ITEM_MAX)


def _parse_programmes(value: Any) -> list[dict[str, str]]:
    entries: list[Any] = []
    if isinstance(value, (list, tuple)):
        for item in value:
            entries.extend([item] if isinstance(item, dict) else _LIST_SPLIT.split(_as_text(item)))
    else:
        entries = _LIST_SPLIT.split(_as_text(value))
    programmes = []
    for entry in entries:
        if isinstance(entry, dict):
            unknown = sorted(set(entry) - set(PROGRAMME_PARTS))
            if unknown:
                raise Invalid(f"unknown programme field {unknown[0]!r}; use {PROGRAMME_PARTS}")
            parts = [_programme_part(_as_text(entry.get(key))) for key in PROGRAMME_PARTS]
        else:
            if not clean_line(entry):
                continue
            pieces = entry.split("|")
            if len(pieces) > len(PROGRAMME_PARTS):
                raise Invalid("write each programme as: name | level | format | duration")
            parts = [_programme_part(piece) for piece in pieces]
            parts += [""] * (len(PROGRAMME_PARTS) - len(parts))
        if not parts[0]:
            raise Invalid("each programme needs a name before its level, format and duration")
        programme = dict(zip(PROGRAMME_PARTS, parts, strict=True))
        if programme not in programmes:
            programmes.append(programme)
    if len(programmes) > LIST_MAX:
        raise Invalid(f"at most {LIST_MAX} programmes allowed, got {len(programmes)}")
    return programmes


def _parse_sectors(lookup: dict[str, Sector]) -> Callable[[Any], list[Sector]]:
    def parse(value: Any) -> list[Sector]:
        found: list[Sector] = []
        for item in _items(value):
            sector = lookup.get(item.casefold())
            if sector is None:
                known = sorted({sector.slug for sector in lookup.values()})
                raise Invalid(f"unknown sector {item[:60]!r}; use one of: {', '.join(known)}")
            if sector not in found:
                found.append(sector)
        return found

    return parse


PARSERS: dict[str, Callable[[Any], Any]] = {
    **{column: _parse_text(column) for column in TEXT_COLUMNS},
    **{column: _parse_list for column in LIST_COLUMNS},
    "social_links": _parse_links,
    "slug": _parse_slug,
    "kind": _parse_kind,
    "residency": _parse_residency,
    "status": _parse_status,
    "description": _parse_description,
    "looking_for": _parse_looking_for,
    "stage": _parse_stage,
    "funding_sought": _parse_funding,
    "currency": _parse_currency,
    "founded_year": _parse_founded_year,
    "team_size": _parse_team_size,
    "website": _parse_website,
    "email": _parse_email,
    "phone": _parse_phone,
    "programmes": _parse_programmes,
}


def parse_record(
    raw: Mapping[str, Any], sectors: dict[str, Sector] | None = None
) -> tuple[dict[str, Any], list[FieldError]]:
    """Clean one record's values; return them with an error for each column that is wrong.

    Only the columns present in `raw` are returned (keys other than COLUMNS are ignored), so an
    update from a file without, say, a `phone` column leaves the phone alone, while an empty value
    clears it. An empty `slug` comes back as "" (derive it from the name); an empty `residency`
    becomes "resident" and an empty `status` "published". `sectors` is the mapping from
    `taxonomy.sector_lookup()`; pass it in when parsing many records.
    """
    if sectors is None:
        from .taxonomy import sector_lookup

        sectors = sector_lookup()
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for column in REQUIRED_COLUMNS:
        if not clean_line(_as_text_or_blank(raw.get(column))):
            errors.append(FieldError(column, "required"))
    for column in COLUMNS:
        if column not in raw or any(error.column == column for error in errors):
            continue
        parse = _parse_sectors(sectors) if column == "sectors" else PARSERS[column]
        try:
            values[column] = parse(raw[column])
        except Invalid as error:
            errors.append(FieldError(column, str(error)))
    return values, errors


def _as_text_or_blank(value: Any) -> str:
    try:
        return _as_text(value)
    except Invalid:
        return "?"  # present but of the wrong type: its parser reports it


# Applying and comparing ----------------------------------------------------------------------


def apply_record(org: Organisation, values: dict[str, Any]) -> None:
    """Assign parsed values (from parse_record) to the organisation; never commits."""
    for column, value in values.items():
        if column == "slug" and not value:
            continue
        setattr(org, column, list(value) if isinstance(value, list) else value)
    if values.get("status") == "published" and org.published_at is None:
        org.published_at = utcnow()


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
        elif current != value and not (current in (None, "", []) and value in (None, "", [])):
            changed.append(column)
    return changed


# Writing records back ------------------------------------------------------------------------


def programme_text(programme: dict[str, str]) -> str:
    """One programme as "name | level | format | duration", trailing empty parts left out."""
    parts = [str(programme.get(key) or "") for key in PROGRAMME_PARTS]
    while len(parts) > 1 and not parts[-1]:
        parts.pop()
    return PROGRAMME_SEPARATOR.join(parts)


def to_text_record(org: Organisation) -> dict[str, str]:
    """Every column of the organisation as text, as a CSV cell or a form field carries it."""
    record = {}
    for column in COLUMNS:
        value = getattr(org, column)
        if column == "sectors":
            value = LIST_SEPARATOR.join(sector.slug for sector in value)
        elif column == "programmes":
            value = LIST_SEPARATOR.join(programme_text(p) for p in value or [])
        elif isinstance(value, list):
            value = LIST_SEPARATOR.join(value)
        record[column] = "" if value is None else str(value)
    return record


def to_json_record(org: Organisation) -> dict[str, Any]:
    """Every column with its natural JSON type: arrays for lists, numbers or null for numbers."""
    record: dict[str, Any] = {}
    for column in COLUMNS:
        value = getattr(org, column)
        if column == "sectors":
            value = [sector.slug for sector in value]
        elif column == "programmes":
            value = [{key: p.get(key) or "" for key in PROGRAMME_PARTS} for p in value or []]
        elif isinstance(value, list):
            value = list(value)
        elif value is None and column not in (
            "stage",
            "funding_sought",
            "founded_year",
            "team_size",
        ):
            value = ""
        record[column] = value
    return record

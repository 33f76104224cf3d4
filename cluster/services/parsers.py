"""Column parsers: turn what a person typed (a CSV cell, a form field, a JSON value) into a value.

Each parser takes the raw value and returns the clean one, or raises Invalid with a message
for the person. The field spec (cluster/fields.py) names the parser of every column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from babel.numbers import format_decimal
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from ..i18n import LOCALES
from . import slugs

Parser = Callable[[Any], Any]

PROGRAMME_PARTS = ("name", "level", "format", "duration")
ITEM_MAX = 200
LIST_MAX = 100
FIRST_FOUNDED_YEAR = 1800

# C0 and C1 control characters other than tab and line feed, which the cleaners handle.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
_SPACES = re.compile(r"[\t\r\n\x0b\x0c\x85\u2028\u2029]")
_LIST_SPLIT = re.compile(r"[;\r\n\u2028\u2029]")
# Thousands separators people type: spaces (also no-break ones), underscores, apostrophes.
_DIGIT_GROUPING = re.compile(r"[\s_'\u00a0\u202f]")
_CURRENCY = re.compile(r"[A-Z]{3}")


class Invalid(ValueError):
    """Raised by a column parser; its text is the message shown to the person.

    Messages are translated when raised, not when this module is imported: the import command
    and the import reports read them in the default language, a page in its own.
    """


def number(value: int) -> str:
    """A number as the message's language writes it: 20,000 or 20 000."""
    return format_decimal(value, locale=get_locale() or "en")


# Cleaning ------------------------------------------------------------------------------------


def clean_line(text: str) -> str:
    """One line of text: breaks and tabs become spaces, other control characters go."""
    # Breaks, tabs and control characters are all unprintable: most text has none of them.
    if text.isprintable():
        return text.strip()
    return _CONTROL.sub("", _SPACES.sub(" ", text)).strip()


def clean_multiline(text: str) -> str:
    """Text that keeps its line breaks (as \\n); tabs become spaces, other controls go."""
    text = _LINE_BREAKS.sub("\n", text).replace("\t", " ")
    return _CONTROL.sub("", text).strip()


def as_text(value: Any) -> str:
    """A raw value as text; lists, objects and booleans are refused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise Invalid(_("expected text, not true or false"))
    if isinstance(value, (int, float, str)):
        return str(value)
    raise Invalid(_("expected text, not a list or object"))


def check_length(text: str, limit: int) -> str:
    if len(text) > limit:
        raise Invalid(
            _(
                "at most %(limit)s characters allowed, got %(length)s",
                limit=number(limit),
                length=number(len(text)),
            )
        )
    return text


def items(value: Any) -> list[str]:
    """Split a list value (text separated by ";" or line breaks, or an array) into items."""
    if isinstance(value, (list, tuple)):
        pieces = []
        for item in value:
            pieces.extend(_LIST_SPLIT.split(as_text(item)))
    else:
        pieces = _LIST_SPLIT.split(as_text(value))
    found: list[str] = []
    seen: set[str] = set()
    for piece in pieces:
        item = clean_line(piece)
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            found.append(item)
    if len(found) > LIST_MAX:
        raise Invalid(
            _("at most %(limit)d entries allowed, got %(count)d", limit=LIST_MAX, count=len(found))
        )
    return found


def _label_texts(label: Any) -> set[str]:
    """A label as every interface language writes it, lower-cased (a lazy label is translated)."""
    texts = set()
    for language in LOCALES:
        with force_locale(language):
            texts.add(str(label).casefold())
    return texts


def _match_choice(
    text: str, allowed: Iterable[str], labels: Mapping[str, Any], unknown: str
) -> str:
    key = clean_line(text).casefold()
    allowed = tuple(allowed)
    if key in (value.casefold() for value in allowed):
        return next(value for value in allowed if value.casefold() == key)
    for value in allowed:
        if value in labels and key in _label_texts(labels[value]):
            return value
    found = {"value": repr(clean_line(text)[:60]), "allowed": ", ".join(allowed)}
    raise Invalid(str(unknown) % found)


# Parsers, one factory per kind of column ------------------------------------------------------


def line(limit: int) -> Parser:
    """One line of text of at most `limit` characters."""
    return lambda value: check_length(clean_line(as_text(value)), limit)


def multiline(limit: int) -> Parser:
    """Text with line breaks, at most `limit` characters."""
    return lambda value: check_length(clean_multiline(as_text(value)), limit)


def text_list(value: Any) -> list[str]:
    """Short texts separated by ";" or line breaks, each at most ITEM_MAX characters."""
    found = items(value)
    for item in found:
        if len(item) > ITEM_MAX:
            raise Invalid(
                _(
                    "each entry at most %(limit)d characters; %(value)s... is longer",
                    limit=ITEM_MAX,
                    value=repr(item[:40]),
                )
            )
    return found


def slug(value: Any) -> str:
    """A slug as typed; empty means: derive one from the name."""
    text = clean_line(as_text(value)).lower()
    if text and not slugs.is_valid_slug(text):
        raise Invalid(
            _(
                "use lower-case Latin letters, digits and single hyphens "
                "(at most %(limit)d characters)",
                limit=slugs.SLUG_MAX_LENGTH,
            )
        )
    return text


def choice(
    allowed: Iterable[str], labels: Mapping[str, Any], unknown: str, empty: str | None = None
) -> Parser:
    """One of the allowed values, by value or label in any case; empty gives `empty`.

    `unknown` is the message for any other value, a whole sentence with %(value)s and
    %(allowed)s (lazy, as the field spec is built at import time).

    With `empty` None an empty value is refused unless the field is optional, in which case
    it stays None (a startup's stage, say).
    """
    allowed = tuple(allowed)

    def parse(value: Any) -> str | None:
        text = as_text(value)
        if not text.strip():
            return empty
        return _match_choice(text, allowed, labels, unknown)

    return parse


def choices(allowed: Iterable[str], labels: Mapping[str, Any], unknown: str) -> Parser:
    """Any number of the allowed values, as a list (`unknown` as for choice)."""
    allowed = tuple(allowed)
    return lambda value: [_match_choice(item, allowed, labels, unknown) for item in items(value)]


def whole_number(limit: int) -> Parser:
    """A whole number from 0 to limit; thousands separators are forgiven; empty is None."""

    def parse(value: Any) -> int | None:
        text = _DIGIT_GROUPING.sub("", clean_line(as_text(value)))
        if not text:
            return None
        if not text.isascii() or not text.isdigit():
            raise Invalid(
                _("expected a whole number of 0 or more, got %(value)s", value=repr(text[:40]))
            )
        # Checked on the digits first: int() refuses very long digit strings with its own error.
        digits = text.lstrip("0") or "0"
        if len(digits) > len(str(limit)) or int(digits) > limit:
            raise Invalid(_("at most %(limit)s allowed", limit=number(limit)))
        return int(digits)

    return parse


def year(value: Any) -> int | None:
    """A year from FIRST_FOUNDED_YEAR to this one; empty is None."""
    text = clean_line(as_text(value))
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        raise Invalid(_("expected a year such as 2015, got %(value)s", value=repr(text[:40])))
    found, this_year = int(text), date.today().year
    if not FIRST_FOUNDED_YEAR <= found <= this_year:
        raise Invalid(
            _(
                "expected a year between %(first)d and %(last)d, got %(year)d",
                first=FIRST_FOUNDED_YEAR,
                last=this_year,
                year=found,
            )
        )
    return found


def currency(value: Any) -> str:
    """A three-letter currency code, upper-cased."""
    text = clean_line(as_text(value)).upper()
    if text and not _CURRENCY.fullmatch(text):
        raise Invalid(
            _(
                "expected a three-letter currency code such as RUB, got %(value)s",
                value=repr(text[:20]),
            )
        )
    return text


def _programme_part(text: str) -> str:
    part = clean_line(text)
    if "|" in part or ";" in part:
        raise Invalid(_("a programme's name, level, format and duration cannot contain | or ;"))
    return check_length(part, ITEM_MAX)


def _programme(entry: Any) -> dict[str, str] | None:
    if isinstance(entry, dict):
        unknown = sorted(set(entry) - set(PROGRAMME_PARTS))
        if unknown:
            raise Invalid(
                _(
                    "unknown programme field %(field)s; use %(fields)s",
                    field=repr(unknown[0]),
                    fields=str(PROGRAMME_PARTS),
                )
            )
        parts = [_programme_part(as_text(entry.get(key))) for key in PROGRAMME_PARTS]
    else:
        if not clean_line(entry):
            return None
        pieces = entry.split("|")
        if len(pieces) > len(PROGRAMME_PARTS):
            raise Invalid(_("write each programme as: name | level | format | duration"))
        parts = [_programme_part(piece) for piece in pieces]
        parts += [""] * (len(PROGRAMME_PARTS) - len(parts))
    if not parts[0]:
        raise Invalid(_("each programme needs a name before its level, format and duration"))
    return dict(zip(PROGRAMME_PARTS, parts, strict=True))


def programmes(value: Any) -> list[dict[str, str]]:
    """Programmes as "name | level | format | duration" lines, or JSON objects."""
    entries: list[Any] = []
    if isinstance(value, (list, tuple)):
        for item in value:
            entries.extend([item] if isinstance(item, dict) else _LIST_SPLIT.split(as_text(item)))
    else:
        entries = _LIST_SPLIT.split(as_text(value))
    found: list[dict[str, str]] = []
    for entry in entries:
        programme = _programme(entry)
        if programme is not None and programme not in found:
            found.append(programme)
    if len(found) > LIST_MAX:
        raise Invalid(
            _(
                "at most %(limit)d programmes allowed, got %(count)d",
                limit=LIST_MAX,
                count=len(found),
            )
        )
    return found


def sectors(lookup: Mapping[str, Any]) -> Parser:
    """Sectors named by slug or name (see taxonomy.sector_lookup), as Sector rows."""

    def parse(value: Any) -> list:
        found: list = []
        for item in items(value):
            sector = lookup.get(item.casefold())
            if sector is None:
                known = sorted({sector.slug for sector in lookup.values()})
                raise Invalid(
                    _(
                        "unknown sector %(value)s; use one of: %(allowed)s",
                        value=repr(item[:60]),
                        allowed=", ".join(known),
                    )
                )
            if sector not in found:
                found.append(sector)
        return found

    return parse

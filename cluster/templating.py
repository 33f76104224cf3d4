"""Template globals and filters shared by every page."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from babel import Locale
from babel.numbers import format_decimal as babel_format_decimal
from flask import Flask, request, url_for
from flask_babel import format_currency, format_datetime, npgettext
from flask_babel import format_date as babel_format_date
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from . import models
from .i18n import lang
from .services import capabilities

# A Cyrillic and a Latin letter (the look-ahead leaves out signs in their ranges, like ×).
CYRILLIC_LETTER = re.compile("(?=[^\\W\\d_])[\u0400-\u04ff]")
LATIN_LETTER = re.compile("(?=[^\\W\\d_])[A-Za-z\u00c0-\u024f]")
PHONE_CHARACTERS = re.compile(r"[^0-9+]")
# A kind as a heading or a breadcrumb: "Startups". Counted kinds read kind_count_label.
KIND_PLURALS = {
    "startup": _l("Startups"),
    "manufacturer": _l("Manufacturers"),
    "education": _l("Educational institutions"),
    "company": _l("Companies"),
    "investor": _l("Investors"),
}
# A date as people write it, in the page's language: 5 March 2024, 5 марта 2024.
DATE_PATTERN = "d MMMM y"
# Hour, minute or second fields of a Unicode date pattern (quoted text left out).
TIME_FIELDS = re.compile(r"[Hhms]")
LETTER_BESIDE_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def text_lang(value: str | None) -> str:
    """The language a text's letters are mostly written in: 'ru' Cyrillic, 'en' Latin, else ''."""
    return _letters_language(str(value)) if value else ""


@functools.lru_cache(maxsize=4096)
def _letters_language(value: str) -> str:
    # Counted by regular expressions, not letter by letter in Python, and remembered: a page
    # asks for each facet label and card text (a search page, 250 of them).
    letters = sum(map(str.isalpha, value))
    if len(CYRILLIC_LETTER.findall(value)) * 2 > letters:
        return "ru"
    if len(LATIN_LETTER.findall(value)) * 2 > letters:
        return "en"
    return ""


def lang_attr(value: str | None) -> Markup:
    """' lang="en"' for Latin text on a Russian page, ' lang="ru"' for Cyrillic text on an
    English one, nothing for text in the page's own language: <p{{ text|lang_attr }}>."""
    text_language = text_lang(value)
    if not text_language or text_language == lang():
        return Markup("")
    return Markup(f' lang="{text_language}"')


def localized(org: Any, name: str) -> str:
    """The organisation's text (summary, description) in the page's language when it gave one
    in that language, else the text as written."""
    original = getattr(org, name, "") or ""
    second = getattr(org, f"{name}_alt", "") or ""
    if second and text_lang(original) != lang() and text_lang(second) == lang():
        return second
    return original


def sector_name(sector: models.Sector, language: str | None = None) -> str:
    """A sector's name in the page's language (or the one given); English when it has no other."""
    return name_in(language or lang(), sector.name, sector.name_ru)


def name_in(language: str, name: str, name_ru: str) -> str:
    """The Russian name on a Russian page when there is one, else the English one."""
    return name_ru if language == "ru" and name_ru else name


def other_sector_name(sector: models.Sector) -> str:
    """The sector's name in the page's other language, '' when it reads the same."""
    other = sector_name(sector, "en" if lang() == "ru" else "ru")
    return "" if other == sector_name(sector) else other


# Each kind's name beside a count; the words stay literal so that extraction finds them.
KIND_COUNTED = {
    "startup": lambda n: npgettext("counted", "Startup", "Startups", n),
    "manufacturer": lambda n: npgettext("counted", "Manufacturer", "Manufacturers", n),
    "education": lambda n: npgettext(
        "counted", "Educational institution", "Educational institutions", n
    ),
    "company": lambda n: npgettext("counted", "Company", "Companies", n),
    "investor": lambda n: npgettext("counted", "Investor", "Investors", n),
}


def counted(forms: dict[str, Callable[[int], str]], code: str, count: int) -> str:
    """A code's words for a count in the page's language (1 Startup, 5 Startups); the code
    itself when it has none."""
    form = forms.get(code)
    return form(count) if form else code


def kind_count_label(kind: str, count: int) -> str:
    """What a count of organisations of one kind is called: 1 Startup, 5 Startups."""
    return counted(KIND_COUNTED, kind, count)


def format_date(value: date | datetime | None, pattern: str = DATE_PATTERN) -> str:
    """A date, or a date and time, as the page's language writes it (a Unicode date pattern)."""
    if not value:
        return ""
    if isinstance(value, datetime) and TIME_FIELDS.search(re.sub(r"'[^']*'", "", pattern)):
        return format_datetime(value, pattern)
    return babel_format_date(value, pattern)


def format_number(value: int | float | None) -> str:
    """A number grouped as the page's language groups it: 1,500,000 or 1 500 000."""
    return _grouped(value, lang()) if value is not None else ""


@functools.lru_cache(maxsize=4096)
def _grouped(value: int | float, language: str) -> str:
    # Remembered: a search page shows a hundred counts, mostly the same small numbers, and
    # Babel takes a tenth of a millisecond for each.
    return babel_format_decimal(value, locale=language)


def format_money(amount: int | float | None, currency: str = "") -> str:
    """An amount in a currency, without decimals: RUB 15,000,000, $500,000, 15 000 000 ₽."""
    if amount is None:
        return ""
    if not currency:
        return format_number(amount)
    pattern = Locale.parse(lang()).currency_formats["standard"].pattern
    whole = re.sub(r"\.0+", "", pattern)
    text = format_currency(amount, currency, format=whole, currency_digits=False)
    # CLDR's currency spacing, which Babel leaves out: a code in letters keeps off the digits.
    return LETTER_BESIDE_DIGIT.sub("\u00a0", text)


def website_href(value: str | None) -> str:
    """A link target for a website: http(s) only, so a stored 'javascript:' never becomes a link."""
    value = (value or "").strip()
    if not value or any(char.isspace() for char in value):
        return ""
    lowered = value.lower()
    if lowered.startswith(("http://", "https://")):
        return value
    if "://" in value or ":" in value.split("/", 1)[0]:
        return ""
    return "https://" + value.lstrip("/")


def website_label(value: str | None) -> str:
    """A website as people read it: without the scheme and the trailing slash."""
    value = (value or "").strip()
    return re.sub(r"^https?://(www\.)?", "", value, flags=re.IGNORECASE).rstrip("/")


def phone_href(value: str | None) -> str:
    """A tel: link for a phone number with at least three digits, '' otherwise."""
    digits = PHONE_CHARACTERS.sub("", value or "")
    return f"tel:{digits}" if len(digits.lstrip("+")) >= 3 else ""


def page_url(number: int) -> str:
    """The current page's address with another page number, every other argument kept."""
    args: dict[str, Any] = request.args.to_dict(flat=False)
    args["page"] = [str(number)]
    return url_for(str(request.endpoint), **(request.view_args or {}), **args)


def filter_url(endpoint: str = "public.organisations", **filters) -> str:
    """A directory address for the given filters, e.g. filter_url(sector='textile')."""
    return url_for(endpoint, **{key: value for key, value in filters.items() if value})


def toggle_filter_url(name: str, value: str) -> str:
    """The current address with one filter value added or, when already present, removed."""
    args: dict[str, Any] = request.args.to_dict(flat=False)
    args.pop("page", None)
    values = args.get(name, [])
    args[name] = [v for v in values if v != value] if value in values else [*values, value]
    return url_for(str(request.endpoint), **(request.view_args or {}), **args)


def init_app(app: Flask) -> None:
    """Register the labels, globals and filters every template may use."""

    @app.context_processor
    def labels():
        """The display labels of kinds, residencies, stages, needs and statuses."""
        return {
            "KIND_LABELS": models.KIND_LABELS,
            "KIND_PLURALS": KIND_PLURALS,
            "RESIDENCY_LABELS": models.RESIDENCY_LABELS,
            "STAGE_LABELS": models.STAGE_LABELS,
            "LOOKING_FOR_LABELS": models.LOOKING_FOR_LABELS,
            "STATUS_LABELS": models.STATUS_LABELS,
            "INVESTOR_TYPE_LABELS": models.INVESTOR_TYPE_LABELS,
            "INSTRUMENT_LABELS": models.INSTRUMENT_LABELS,
        }

    app.add_template_global(page_url)
    app.add_template_global(filter_url)
    app.add_template_global(toggle_filter_url)
    app.add_template_global(sector_name)
    app.add_template_global(other_sector_name)
    app.add_template_global(kind_count_label)
    app.add_template_global(capabilities.label, "capability_label")
    app.add_template_filter(localized)
    app.add_template_filter(text_lang, "lang")
    app.add_template_filter(lang_attr)
    app.add_template_filter(website_href)
    app.add_template_filter(website_label)
    app.add_template_filter(phone_href)
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_number, "number")
    app.add_template_filter(format_money, "money")

"""Template globals and filters shared by every page."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, request, url_for
from markupsafe import Markup

from . import models

CYRILLIC = re.compile("[\u0400-\u04ff]")
PHONE_CHARACTERS = re.compile(r"[^0-9+]")
KIND_PLURALS = {
    "startup": "Startups",
    "manufacturer": "Manufacturers",
    "education": "Educational institutions",
    "company": "Companies",
}


def text_lang(value: str | None) -> str:
    """'ru' for text written mostly in Cyrillic, '' otherwise (the page is in English)."""
    if not value:
        return ""
    letters = [char for char in value if char.isalpha()]
    cyrillic = sum(1 for char in letters if CYRILLIC.match(char))
    return "ru" if letters and cyrillic * 2 > len(letters) else ""


def lang_attr(value: str | None) -> Markup:
    """' lang="ru"' for mostly Cyrillic text, nothing otherwise: <p{{ text|lang_attr }}>."""
    lang = text_lang(value)
    return Markup(f' lang="{lang}"') if lang else Markup("")


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
        """The display labels of kinds, residencies, stages and needs."""
        return {
            "KIND_LABELS": models.KIND_LABELS,
            "KIND_PLURALS": KIND_PLURALS,
            "RESIDENCY_LABELS": models.RESIDENCY_LABELS,
            "STAGE_LABELS": models.STAGE_LABELS,
            "LOOKING_FOR_LABELS": models.LOOKING_FOR_LABELS,
        }

    app.add_template_global(page_url)
    app.add_template_global(filter_url)
    app.add_template_global(toggle_filter_url)
    app.add_template_filter(text_lang, "lang")
    app.add_template_filter(lang_attr)
    app.add_template_filter(website_href)
    app.add_template_filter(website_label)
    app.add_template_filter(phone_href)

    @app.template_filter("date")
    def format_date(value, fmt: str = "%-d %B %Y") -> str:
        """A date as people write it: 5 March 2024."""
        return value.strftime(fmt) if value else ""

    @app.template_filter("thousands")
    def thousands(value) -> str:
        """A number with narrow spaces between thousands: 1 500 000."""
        return f"{value:,}".replace(",", "\u202f") if value is not None else ""

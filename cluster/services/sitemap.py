"""What the sitemap lists: the public pages and every published profile, in every language.

A sitemap file holds at most 50,000 addresses; profiles are listed SITEMAP_CHUNK a file (each
in every language), so /sitemap.xml is an index of files that stay within the limit at any size.
A file is written as plain strings: a template took over a second for 20,000 addresses.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

import sqlalchemy as sa
from flask import current_app, url_for

from ..extensions import db
from ..i18n import LOCALES
from ..models import Organisation, Sector

# Profiles per file: 10,000 addresses with their alternates, about 3.7 MB.
SITEMAP_CHUNK = 5_000
URLSET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
    'sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)
# The public pages that do not depend on the data, by endpoint.
PAGES = (
    "public.home",
    "public.organisations",
    "public.sectors",
    "startups.startups",
    "partners.find",
    "numbers.page",
    "api_docs.page",
    "submissions.submit",
)
# Stands for a slug in an address made once per language, then filled in for each profile.
SLUG_MARK = "--slug--"


@dataclass(frozen=True)
class Entry:
    """One page: its address in each language, the default first, and when it last changed."""

    urls: dict[str, str]
    updated: datetime | None = None


def languages() -> list[str]:
    """Every language, the default one first (the x-default of the alternates)."""
    default = current_app.config["DEFAULT_LOCALE"]
    return [default, *[code for code in LOCALES if code != default]]


def page_entries() -> list[Entry]:
    """The fixed public pages and every sector's page."""
    entries = [
        Entry({code: url_for(endpoint, lang=code, _external=True) for code in languages()})
        for endpoint in PAGES
    ]
    for slug in db.session.scalars(sa.select(Sector.slug).order_by(Sector.position, Sector.id)):
        urls = {
            code: url_for("public.sector", slug=slug, lang=code, _external=True)
            for code in languages()
        }
        entries.append(Entry(urls))
    return entries


def published() -> sa.Select:
    return sa.select(Organisation.slug, Organisation.updated_at).where(
        Organisation.status == "published"
    )


def organisation_files() -> int:
    """How many files list the published profiles (at least one, which may be empty)."""
    count = db.session.scalar(sa.select(sa.func.count()).select_from(published().subquery()))
    return max(1, -(-(count or 0) // SITEMAP_CHUNK))


def organisation_entries(number: int) -> Iterator[Entry]:
    """The published profiles of file `number` (from 1), in id order."""
    patterns = {
        code: url_for("public.profile", slug=SLUG_MARK, lang=code, _external=True)
        for code in languages()
    }
    rows = db.session.execute(
        published()
        .order_by(Organisation.id)
        .limit(SITEMAP_CHUNK)
        .offset((number - 1) * SITEMAP_CHUNK)
    )
    for slug, updated in rows:
        part = quote(slug, safe="")
        yield Entry(
            {code: pattern.replace(SLUG_MARK, part) for code, pattern in patterns.items()}, updated
        )


def urlset(entries: Iterable[Entry], codes: list[str]) -> Iterator[str]:
    """A sitemap file's XML in parts: each language's address of every entry, with the
    alternates of all languages (the first is x-default) and its last change."""
    yield URLSET_OPEN
    for entry in entries:
        links = [(code, entry.urls[code]) for code in codes] + [("x-default", entry.urls[codes[0]])]
        alternates = "".join(
            f'<xhtml:link rel="alternate" hreflang="{code}" href={quoteattr(url)}/>'
            for code, url in links
        )
        lastmod = f"<lastmod>{entry.updated:%Y-%m-%dT%H:%M:%SZ}</lastmod>" if entry.updated else ""
        for code in codes:
            yield f"<url><loc>{escape(entry.urls[code])}</loc>{lastmod}{alternates}</url>\n"
    yield "</urlset>\n"

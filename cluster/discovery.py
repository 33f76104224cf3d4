"""What crawlers read: robots.txt, the sitemap index and its files; profiles' JSON-LD."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, url_for

from .i18n import LOCALES
from .services import sitemap
from .structured_data import organisation_json_ld

bp = Blueprint("discovery", __name__)
bp.add_app_template_global(organisation_json_ld)
# Open Graph names a page's language with its territory.
OG_LOCALES = {"ru": "ru_RU", "en": "en_GB"}
bp.app_context_processor(lambda: {"OG_LOCALES": OG_LOCALES})

XML = "application/xml"


@bp.get("/robots.txt")
def robots():
    """Tell crawlers where the sitemap is and what not to crawl (staff, search, downloads, the
    API)."""
    hidden = [
        f"/{code}/{path}"
        for path in ("staff/", "search", "organisations/download")
        for code in LOCALES
    ]
    lines = ["User-agent: *", *[f"Disallow: {path}" for path in [*hidden, "/api/"]]]
    lines += ["", f"Sitemap: {url_for('discovery.sitemap_index', _external=True)}", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap_index():
    """List the sitemap's files: the public pages, then the profiles a file at a time."""
    files = [url_for("discovery.sitemap_pages", _external=True)] + [
        url_for("discovery.sitemap_organisations", number=number, _external=True)
        for number in range(1, sitemap.organisation_files() + 1)
    ]
    return Response(render_template("discovery/sitemap_index.xml", files=files), mimetype=XML)


@bp.get("/sitemap-pages.xml")
def sitemap_pages():
    """List the public pages in every language."""
    return sitemap_response(sitemap.page_entries())


@bp.get("/sitemap-organisations-<int:number>.xml")
def sitemap_organisations(number: int):
    """List one file's share of the published profiles, in every language."""
    if not 1 <= number <= sitemap.organisation_files():
        abort(404)
    return sitemap_response(sitemap.organisation_entries(number))


def sitemap_response(entries) -> Response:
    """A sitemap file of these entries, each language's address with its alternates."""
    return Response("".join(sitemap.urlset(entries, sitemap.languages())), mimetype=XML)

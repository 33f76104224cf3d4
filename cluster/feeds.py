"""Atom feeds of a list's newly published organisations: the directory, its filters, a search or
a sector. A list's feed is its address plus /feed, or the address with ?format=atom."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from . import browse, search
from .models import Organisation
from .services import directory, feeds
from .templating import sector_name

bp = Blueprint("feeds", __name__)
ATOM = "application/atom+xml"
# The pages that answer ?format=atom with their feed, by the feed's endpoint.
FEED_OF_PAGE = {
    "public.organisations": "feeds.directory_feed",
    "search.results": "feeds.search_feed",
    "public.sector": "feeds.sector_feed",
}


@bp.get("/organisations/feed")
def directory_feed():
    """Give the newest published organisations of the directory, filtered as its page is."""
    return feed_response("public.organisations", text=False)


@bp.get("/search/feed")
def search_feed():
    """Give the newest published organisations a search finds, with its words and filters."""
    return feed_response("search.results", text=True)


@bp.get("/sectors/<slug>/feed")
def sector_feed(slug: str):
    """Give the newest published organisations of one sector."""
    found = directory.find_sector(slug)
    if found is None:
        abort(404)
    return feed_response("public.sector", text=False, sector=found.slug)


@bp.app_template_global()
def feed_url() -> str:
    """The feed of the current list page, '' on a page that has none."""
    endpoint = FEED_OF_PAGE.get(request.endpoint or "")
    if not endpoint:
        return ""
    arguments = feeds.feed_arguments(request.args, text=endpoint == "feeds.search_feed")
    return address(endpoint, arguments, **(request.view_args or {}))


@bp.before_app_request
def page_as_feed():
    """Answer a list page asked for with ?format=atom with that list's feed."""
    endpoint = FEED_OF_PAGE.get(request.endpoint or "")
    if endpoint and request.args.get("format") == "atom":
        return current_app.view_functions[endpoint](**(request.view_args or {}))
    return None


def address(endpoint: str, arguments: list[tuple[str, str]], **values) -> str:
    """A full address with repeated arguments in the given order."""
    base = url_for(endpoint, _external=True, **values)
    if not arguments:
        return base
    return f"{base}?{urlencode(arguments)}"


def feed_response(page: str, text: bool, sector: str = "") -> Response:
    """The Atom feed of a list page's arguments (a sector page's sector among its filters)."""
    args = request.args.copy()
    if sector:
        args.setlist("sector", [sector])
    query = feeds.feed_query(args, text)
    feed = feeds.build(query)
    arguments = [
        pair for pair in feeds.feed_arguments(args, text) if not (sector and pair[0] == "sector")
    ]
    values = {"slug": sector} if sector else {}
    endpoint = FEED_OF_PAGE[page]
    response = Response(
        render_template(
            "discovery/feed.xml",
            feed=feed,
            title=feed_title(query, sector),
            self_url=address(endpoint, arguments, **values),
            page_url=address(page, arguments, **values),
            entry_id=entry_id,
            atom_time=atom_time,
            published=feeds.published,
            updated=feeds.updated,
        ),
        mimetype=ATOM,
    )
    response.add_etag()
    return response.make_conditional(request)


def feed_title(query: search.SearchQuery, sector: str) -> str:
    """What the feed lists, in the page's language: the words, then each filter's values."""
    labels = browse.search_labels()
    chosen = [
        labels.get(name, {}).get(value, value)
        for name in search.FACETS
        for value in query.filters.get(name, [])
        if not (sector and name == "sector" and value == sector)
    ]
    if sector:
        found = directory.find_sector(sector)
        chosen.insert(0, sector_name(found) if found else sector)
    if query.text:
        chosen.insert(0, _("“%(words)s”", words=query.text))
    if not chosen:
        return _("Newly published organisations")
    return _("Newly published: %(list)s", list=" · ".join(chosen))


def entry_id(org: Organisation) -> str:
    """An id that never changes: the site's host, the day the record was made, its number."""
    host = request.host.split(":")[0]
    return f"tag:{host},{org.created_at:%Y-%m-%d}:organisation:{org.id}"


def atom_time(moment: datetime) -> str:
    """An RFC 3339 time in UTC, as Atom writes it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

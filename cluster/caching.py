"""HTTP caching: public pages and JSON carry an ETag naming what they are made of, and a request
sending it back is answered 304 before anything is searched or rendered; static files are
addressed by a version of their content and kept by browsers for a year.

What a page is made of: the search index's state (every change to an organisation is written
there after its commit, so the generation moves with the data), the page's language, who is
looking (staff see other links, and their pages are private: a shared cache never serves them
to the public) and this release of the code, templates and catalogues. The same ETag lets each
process keep the public pages it has rendered (PageCache): the next visitor asking for the same
address while nothing changed gets them without a search or a template being run.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, current_app, g, request, session
from flask.sansio.app import App
from flask_babel import get_locale
from flask_login import current_user

from . import search

# May be kept, but asked about each time: an unchanged page then costs a 304.
PUBLIC = "public, no-cache"
PRIVATE = "private, no-cache"
# Versioned static addresses never change their content.
STATIC_MAX_AGE = 365 * 24 * 3600
ROOT = Path(__file__).resolve().parent.parent
# Made again for each answer, or not the page's own.
UNKEPT_HEADERS = ("Set-Cookie", "Content-Length", "ETag", "Cache-Control")
RELEASE_FOLDERS = ("cluster", "templates", "static", "translations", "data")


@lru_cache(maxsize=1)
def release() -> str:
    """A name for this release: the sizes and times of the code, templates and catalogues."""
    digest = hashlib.blake2b(digest_size=8)
    for folder in RELEASE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def viewer() -> str:
    """Who the page is made for: the public, or one staff member in one role."""
    if current_user.is_authenticated:
        return f"staff:{current_user.id}:{current_user.role}"
    return "public"


def page_etag() -> str | None:
    """The ETag of the page asked for; None when it must not be cached at all."""
    if request.method not in ("GET", "HEAD") or "_flashes" in session:
        return None
    parts = [search.backend().version(), str(get_locale()), viewer(), release()]
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()


class PageCache:
    """Public pages as rendered, by address and ETag: a page asked for again while nothing it is
    made of has changed is sent as it was, neither searched for nor rendered again."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._pages: OrderedDict[tuple[str, str], tuple[bytes, list]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> tuple[bytes, list] | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple[str, str], page: tuple[bytes, list]) -> None:
        with self._lock:
            self._pages[key] = page
            while len(self._pages) > self.capacity:
                self._pages.popitem(last=False)


def page_cache() -> PageCache | None:
    """This process's cache of rendered pages; None when PAGE_CACHE_ENTRIES is 0."""
    capacity = current_app.config["PAGE_CACHE_ENTRIES"]
    if not capacity:
        return None
    cache = current_app.extensions.get("page_cache")
    if cache is None:
        cache = current_app.extensions.setdefault("page_cache", PageCache(capacity))
    return cache


def shareable() -> bool:
    """Whether a page made for this request may be kept for anyone: made for the public, with
    no session behind it (so no CSRF token or anything else of one visitor's inside)."""
    cookie = current_app.config.get("SESSION_COOKIE_NAME", "session")
    return not current_user.is_authenticated and cookie not in request.cookies


def answer_unchanged() -> Response | None:
    """Before the view: 304 when the client's copy of the page is the current one, else the
    page as rendered for an earlier visitor when nothing it is made of has changed."""
    g.page_etag = tag = page_etag()
    if tag is None:
        return None
    if request.if_none_match.contains(tag):
        return add_cache_headers(Response(status=304))
    cache = page_cache()
    kept = cache.get((request.full_path, tag)) if cache is not None else None
    if kept is None:
        return None
    g.page_kept = True
    body, headers = kept
    return Response(body, status=200, headers=headers)


def keep_page(response: Response, tag: str) -> None:
    """Keep a public page for the next visitor, unless something of this visit is in it."""
    cache = page_cache()
    if (
        cache is None
        or g.get("page_kept")
        or response.status_code != 200
        or response.direct_passthrough
        or response.is_streamed
        or "Set-Cookie" in response.headers
        or session.modified
        or not shareable()
    ):
        return
    headers = [(k, v) for k, v in response.headers if k not in UNKEPT_HEADERS]
    cache.put((request.full_path, tag), (response.get_data(), headers))


def add_cache_headers(response: Response) -> Response:
    """After the view: the page's ETag and how it may be cached."""
    tag = g.get("page_etag")
    if tag is None or response.status_code not in (200, 304):
        return response
    response.set_etag(tag)
    response.headers["Cache-Control"] = PRIVATE if current_user.is_authenticated else PUBLIC
    # The same address reads differently logged in, and /api/ in the language asked.
    response.vary.update(("Cookie", "Accept-Language"))
    keep_page(response, tag)
    return response


def init_blueprint(bp: Blueprint) -> None:
    """Give the blueprint's pages ETags and answer unchanged ones with 304."""
    bp.before_request(answer_unchanged)
    bp.after_request(add_cache_headers)


# --- static files -------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _file_version(path: str, size: int, modified: int) -> str:
    with open(path, "rb") as handle:
        return hashlib.blake2b(handle.read(), digest_size=6).hexdigest()


def static_version(folder: str, filename: str) -> str:
    """A short hash of a static file's content ("0" for a file that is not there)."""
    path = os.path.join(folder, filename)
    try:
        stat = os.stat(path)
    except OSError:
        return "0"
    return _file_version(path, stat.st_size, stat.st_mtime_ns)


def add_static_version(endpoint: str | None, values: dict) -> None:
    """url_for("static", ...) adds ?v=<content hash>: a changed file gets a new address."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        values["v"] = static_version(str(current_app.static_folder), values["filename"])


def cache_static(response: Response) -> Response:
    """A static file asked for by its current version may be kept for a year."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    version = request.args.get("v")
    if version and version == static_version(str(current_app.static_folder), filename):
        response.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}, immutable"
    return response


def init_static(app: App) -> None:
    """Version the addresses of static files and let browsers keep them."""
    app.url_defaults(add_static_version)
    app.after_request(cache_static)

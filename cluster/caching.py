"""HTTP caching: public pages and JSON carry an ETag naming what they are made of, and a request
sending it back is answered 304 before anything is searched or rendered; static files are
addressed by a version of their content and kept by browsers for a year.

What a page is made of: the search index's state (every change to an organisation is written
there after its commit, so the generation moves with the data), the page's language, who is
looking (staff see other links, and their pages are private: a shared cache never serves them
to the public) and this release of the code, templates and catalogues.
"""

from __future__ import annotations

import hashlib
import os
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
RELEASE_FOLDERS = ("cluster", "templates", "static", "translations")


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


def answer_unchanged() -> Response | None:
    """Before the view: 304 when the client's copy of the page is the current one."""
    g.page_etag = tag = page_etag()
    if tag is None or not request.if_none_match.contains(tag):
        return None
    return add_cache_headers(Response(status=304))


def add_cache_headers(response: Response) -> Response:
    """After the view: the page's ETag and how it may be cached."""
    tag = g.get("page_etag")
    if tag is None or response.status_code not in (200, 304):
        return response
    response.set_etag(tag)
    response.headers["Cache-Control"] = PRIVATE if current_user.is_authenticated else PUBLIC
    # The same address reads differently logged in, and /api/ in the language asked.
    response.vary.update(("Cookie", "Accept-Language"))
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

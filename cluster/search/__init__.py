"""Search over the directory: one interface, two engines (Whoosh by default, PostgreSQL)."""

from __future__ import annotations

from flask import Flask, current_app

from .base import FACETS, SORTS, Hit, SearchBackend, SearchQuery, SearchResult, Suggestion

__all__ = [
    "FACETS",
    "SORTS",
    "Hit",
    "SearchBackend",
    "SearchQuery",
    "SearchResult",
    "Suggestion",
    "backend",
    "init_app",
]


def make_backend(app: Flask) -> SearchBackend:
    """Build the engine named by SEARCH_BACKEND."""
    name = app.config["SEARCH_BACKEND"]
    if name == "whoosh":
        from .whoosh_backend import WhooshBackend

        return WhooshBackend(app.config["INDEX_DIR"])
    if name == "postgres":
        from .postgres_backend import PostgresBackend

        return PostgresBackend()
    raise RuntimeError(f"SEARCH_BACKEND must be 'whoosh' or 'postgres', not {name!r}")


def init_app(app: Flask) -> None:
    app.extensions["search"] = make_backend(app)
    from . import sync

    sync.init_app(app)


def backend() -> SearchBackend:
    """The current app's search engine."""
    return current_app.extensions["search"]

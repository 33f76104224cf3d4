"""Search over the directory: one interface, two engines (Whoosh by default, PostgreSQL)."""

from __future__ import annotations

from flask import Flask, current_app
from werkzeug.datastructures import MultiDict

from . import language
from .base import FACETS, SORTS, Hit, SearchBackend, SearchQuery, SearchResult, Suggestion

# Bounds on what a URL may ask for: more is never useful and only costs time.
MAX_FACET_VALUES = 20
MAX_FACET_VALUE_CHARS = 100
MAX_PAGE = 500
MAX_PER_PAGE = 50

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
    "query_from_args",
]


def make_backend(app: Flask) -> SearchBackend:
    """Build the engine named by SEARCH_BACKEND."""
    name = app.config["SEARCH_BACKEND"]
    if name == "whoosh":
        from .whoosh import WhooshBackend

        # Checks the installed Whoosh and patches its reader, once per process (compatibility).
        return WhooshBackend(app.config["INDEX_DIR"])
    if name == "postgres":
        from .postgres import PostgresBackend, snapshots

        # A request's reads share one snapshot, closed at its end.
        snapshots.init_app(app)
        return PostgresBackend()
    raise RuntimeError(f"SEARCH_BACKEND must be 'whoosh' or 'postgres', not {name!r}")


def init_app(app: Flask) -> None:
    app.extensions["search"] = make_backend(app)
    from . import sync

    sync.init_app(app)


def backend() -> SearchBackend:
    """The current app's search engine."""
    return current_app.extensions["search"]


def _page_number(value: str | None, default: int, highest: int) -> int:
    try:
        number = int(value or default)
    except ValueError:
        return default
    return min(max(number, 1), highest)


def query_from_args(args: MultiDict, per_page: int | None = None) -> SearchQuery:
    """Read a search from URL arguments (q, facets that may repeat, sort, page, per_page).

    Anything malformed falls back to a default instead of failing: a bad page is page 1, an
    unknown sort is relevance, and the text is cleaned into plain words.
    """
    filters = {}
    for facet in FACETS:
        values = []
        for value in args.getlist(facet)[:MAX_FACET_VALUES]:
            value = "".join(char for char in value if char.isprintable()).strip()
            if value and len(value) <= MAX_FACET_VALUE_CHARS and value not in values:
                values.append(value)
        if values:
            filters[facet] = values
    sort = args.get("sort", "relevance")
    default_per_page = per_page or current_app.config["PER_PAGE"]
    return SearchQuery(
        text=language.clean_query(args.get("q", "")),
        filters=filters,
        sort=sort if sort in SORTS else "relevance",
        page=_page_number(args.get("page"), 1, MAX_PAGE),
        per_page=_page_number(args.get("per_page"), default_per_page, MAX_PER_PAGE),
    )


def with_organisations(hits: list[Hit]) -> list[tuple[Hit, object]]:
    """Pair each hit with its Organisation row (sectors loaded), in rank order.

    A hit whose organisation was deleted or unpublished since it was indexed is left out.
    """
    import sqlalchemy as sa
    from sqlalchemy import orm

    from ..extensions import db
    from ..models import Organisation

    if not hits:
        return []
    rows = db.session.scalars(
        sa.select(Organisation)
        .where(Organisation.id.in_([hit.id for hit in hits]))
        .options(orm.selectinload(Organisation.sectors))
    )
    by_id = {org.id: org for org in rows}
    return [(hit, by_id[hit.id]) for hit in hits if hit.id in by_id and by_id[hit.id].is_public]


def facet_labels() -> dict[str, dict[str, str]]:
    """How each facet value is shown: 'startup' -> 'Startup', 'garment-sewing' -> 'Garment
    sewing', ... Sectors are named from the taxonomy, in the page's language, by the pages
    (browse.search_labels)."""
    from .. import models
    from ..services import capabilities

    capability_labels = capabilities.labels()
    return {
        "kind": dict(models.KIND_LABELS),
        "residency": dict(models.RESIDENCY_LABELS),
        "stage": dict(models.STAGE_LABELS),
        "looking_for": dict(models.LOOKING_FOR_LABELS),
        "offers": capability_labels,
        "needs": dict(capability_labels),
        "city": {},
    }


def similar_to(org, limit: int = 5) -> list[Hit]:
    """Organisations like this one for its profile; an index problem only hides the list."""
    try:
        return backend().similar(org, limit=limit)
    except Exception:
        current_app.logger.exception("Similar organisations unavailable for %s", org.slug)
        return []

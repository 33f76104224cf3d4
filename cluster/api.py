"""Read-only JSON API: search and autocomplete."""

from flask import Blueprint, jsonify, request, url_for

from . import search

bp = Blueprint("api", __name__, url_prefix="/api")


def hit_json(hit: search.Hit) -> dict:
    return {
        "slug": hit.slug,
        "name": hit.name,
        "kind": hit.kind,
        "summary": hit.summary,
        "snippet": hit.snippet,
        "url": url_for("public.profile", slug=hit.slug),
        "score": round(hit.score, 4),
    }


@bp.get("/search")
def search_organisations():
    """Search published organisations; the same arguments as the search page."""
    query = search.query_from_args(request.args)
    result = search.backend().search(query)
    return jsonify(
        query=query.text,
        total=result.total,
        page=query.page,
        per_page=query.per_page,
        hits=[hit_json(hit) for hit in result.hits],
        facets=result.facets,
        suggestion=result.suggestion,
    )


@bp.get("/suggest")
def suggest():
    """Complete an organisation name from what has been typed so far."""
    prefix = request.args.get("q", "")
    return jsonify(
        [
            {
                "name": item.name,
                "slug": item.slug,
                "url": url_for("public.profile", slug=item.slug),
            }
            for item in search.backend().suggest(prefix)
        ]
    )

"""Read-only JSON API: search and autocomplete.

Data is returned as stored; labels (kinds, sectors, facet values) in the language asked with
`?lang=` or Accept-Language (cluster/i18n.py).
"""

from flask import Blueprint, jsonify, request, url_for

from . import browse, caching, search
from .models import KIND_LABELS

bp = Blueprint("api", __name__, url_prefix="/api")
caching.init_blueprint(bp)


def hit_json(hit: search.Hit) -> dict:
    return {
        "slug": hit.slug,
        "name": hit.name,
        "kind": hit.kind,
        "kind_label": str(KIND_LABELS.get(hit.kind, hit.kind)),
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
    all_labels = browse.search_labels()
    return jsonify(
        query=query.text,
        total=result.total,
        page=query.page,
        per_page=query.per_page,
        hits=[hit_json(hit) for hit in result.hits],
        facets=result.facets,
        # How each facet value shown in `facets` reads, in the language asked.
        labels={
            facet: {value: all_labels.get(facet, {}).get(value, value) for value in counts}
            for facet, counts in result.facets.items()
        },
        suggestion=result.suggestion,
        # Whether the hits match only some of the words, and the words nothing matched.
        partial=result.partial,
        unmatched=result.unmatched,
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

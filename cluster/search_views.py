"""The search page: results with snippets, facets with counts, a suggestion, pagination."""

from flask import Blueprint, render_template, request

from . import search

bp = Blueprint("search", __name__)

FACET_TITLES = {
    "kind": "Kind",
    "residency": "Residency",
    "sector": "Sector",
    "stage": "Stage",
    "city": "City",
    "looking_for": "Looking for",
}


@bp.get("/search")
def results():
    """Search published organisations by words and facets."""
    query = search.query_from_args(request.args)
    result = search.backend().search(query)
    return render_template(
        "public/search.html",
        query=query,
        result=result,
        entries=search.with_organisations(result.hits),
        labels=search.facet_labels(),
        facet_titles=FACET_TITLES,
    )

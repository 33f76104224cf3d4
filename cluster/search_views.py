"""The search page: results with snippets, facets with counts, a suggestion, pagination."""

from flask import Blueprint, render_template, request

from . import browse, caching, search
from .search import snippets

bp = Blueprint("search", __name__)
caching.init_blueprint(bp)
bp.add_app_template_filter(snippets.beyond, "snippet_beyond")


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
        filters=browse.search_filters(query, result.facets, browse.search_labels()),
        facet_titles=browse.FILTER_TITLES,
    )

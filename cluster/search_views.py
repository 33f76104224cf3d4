"""The search page."""

from flask import Blueprint

bp = Blueprint("search", __name__)


@bp.get("/search")
def results():
    """Show search results with facets (to be written)."""
    return "Search is coming."

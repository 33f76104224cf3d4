"""The cluster in numbers: published organisations counted by the search engine's facets."""

from __future__ import annotations

from .. import search


def published_facets() -> tuple[int, dict[str, dict[str, int]]]:
    """How many organisations are published, and each facet's counts over all of them."""
    result = search.backend().search(search.SearchQuery(per_page=1))
    return result.total, result.facets

"""Organisations like one profile, scored over the process's arrays (cluster/search/neighbours.py):
the term match sets and facet columns the searches keep, then one query for the hits' rows."""

from __future__ import annotations

import html

import numpy as np
import sqlalchemy as sa

from .. import neighbours
from ..base import Hit
from .facet_table import FacetTable
from .planning import quoted


def similar(conn, table: FacetTable, doc: dict, limit: int) -> list[Hit]:
    """Published organisations sharing this one's rare words, sectors and kind."""
    allowed = table.statuses(("published",)) & ~table.rows_of(np.array([doc["id"]]))

    def term_rows(terms: list[str]) -> dict[str, np.ndarray]:
        return {term: table.matching(conn, quoted(term)) for term in terms}

    rows, scores = neighbours.nearest(
        neighbours.scores(doc, term_rows, table.facets, allowed), limit
    )
    if not len(rows):
        return []
    ids = table.ids[rows].tolist()
    found = conn.execute(
        sa.text(
            "SELECT organisation_id, slug, name, kind, summary FROM search_documents"
            " WHERE organisation_id = ANY(:ids)"
        ),
        {"ids": ids},
    )
    by_id = {row.organisation_id: row for row in found}
    return [
        Hit(
            id=found_id,
            slug=by_id[found_id].slug,
            name=by_id[found_id].name,
            kind=by_id[found_id].kind,
            summary=by_id[found_id].summary,
            snippet=html.escape(by_id[found_id].summary),
            score=float(score),
        )
        for found_id, score in zip(ids, scores.tolist(), strict=True)
        if found_id in by_id
    ]

"""The page of hits: sorted by position arrays, or ranked by ts_rank_cd over a pool; headlines."""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import sqlalchemy as sa

from .. import arrays
from ..base import Hit
from .facet_table import FacetTable
from .rows import CONFIG, START, STOP

HEADLINE_OPTIONS = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2"
# Beyond this many matches, relevance ranks a pool of candidates rather than every match.
RANK_POOL = 500


def page(
    conn, table: FacetTable, sort: str, final: np.ndarray, text: str, tsquery, offset, limit
) -> list[Hit]:
    """The hits from `offset` of the rows in `final`, in the query's order."""
    rows: Any = np.flatnonzero(final)
    if sort in ("name", "newest") or (sort == "relevance" and tsquery is None):
        rows = _sorted_rows(conn, table, sort, rows, offset, limit)
    else:
        rows = _ranked_rows(conn, table, rows, text, tsquery, offset, limit)
    snippets = headlines(conn, tsquery, [row.organisation_id for row in rows]) if tsquery else {}
    return [
        Hit(
            id=row.organisation_id,
            slug=row.slug,
            name=row.name,
            kind=row.kind,
            summary=row.summary,
            snippet=snippets.get(row.organisation_id) or html.escape(row.summary),
            score=float(row.score),
        )
        for row in rows
    ]


def _sorted_rows(conn, table: FacetTable, sort: str, rows, offset: int, limit: int) -> list:
    # Positions in the order, read once per generation, pick the page among the rows.
    places = table.positions(conn, "newest" if sort == "newest" else "name")
    page_rows = arrays.page_by_position(rows, places, offset, offset + limit)
    page_ids = table.ids[page_rows].tolist()
    found = {
        row.organisation_id: row
        for row in conn.execute(
            sa.text(
                "SELECT organisation_id, slug, name, kind, summary, 0.0 AS score"
                " FROM search_documents WHERE organisation_id = ANY(:ids)"
            ),
            {"ids": page_ids},
        )
    }
    return [found[i] for i in page_ids if i in found]


def _ranked_rows(conn, table: FacetTable, rows, text: str, tsquery, offset, limit) -> list:
    ids = table.ids[rows]
    if len(ids) > RANK_POOL and offset + limit <= RANK_POOL:
        # Ranking reads every matching tsvector and is nearly all of a query's cost: rank a
        # pool of candidates (an exact name always among them), not every match.
        exact = np.fromiter(
            conn.execute(
                sa.text(
                    "SELECT organisation_id FROM search_documents"
                    ' WHERE lower(name) COLLATE "C" = :exact'
                ),
                {"exact": text.lower()},
            ).scalars(),
            np.int64,
        )
        ids = np.union1d(ids[:RANK_POOL], exact[np.isin(exact, ids)])
    # As one array literal: psycopg adapting hundreds of ints one by one took longer than
    # ranking them.
    ids_literal = "{" + ",".join(map(str, ids.tolist())) + "}"
    params = {"limit": limit, "offset": offset, "ids": ids_literal, "q": tsquery}
    params["exact"] = text.lower()
    return conn.execute(
        sa.text(
            """
            SELECT organisation_id, slug, name, kind, summary,
                   ts_rank_cd(tsv, CAST(:q AS tsquery))
                   + CASE WHEN lower(name) = :exact OR lower(name_alt) = :exact
                          THEN 10 ELSE 0 END AS score
            FROM search_documents
            WHERE organisation_id = ANY(CAST(:ids AS integer[]))
            ORDER BY score DESC, lower(name) COLLATE "C", organisation_id
            LIMIT :limit OFFSET :offset
            """
        ),
        params,
    ).all()


def headlines(conn, tsquery: str, ids: list[int]) -> dict[int, str]:
    """Safe HTML snippets with the matches marked, for those of these rows that have any."""
    snippets: dict[int, str] = {}
    for row in conn.execute(
        sa.text(
            "SELECT organisation_id, ts_headline(:config, body, CAST(:q AS tsquery), "
            ":options) FROM search_documents WHERE organisation_id = ANY(:ids)"
        ),
        {"config": CONFIG, "q": tsquery, "options": HEADLINE_OPTIONS, "ids": ids},
    ):
        if START in row[1]:
            snippets[row[0]] = mark(row[1])
    return snippets


def mark(headline: str) -> str:
    """Escape a ts_headline result, then turn its markers into <mark> tags."""
    return html.escape(headline).replace(START, "<mark>").replace(STOP, "</mark>")

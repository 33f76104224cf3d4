"""The page of hits: sorted by position arrays, or ranked by ts_rank_cd over a pool; snippets."""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import sqlalchemy as sa

from .. import arrays, language, offers, snippets
from ..base import Hit
from .facet_table import FacetTable, name_collation
from .planning import Plan

# Beyond this many matches, relevance ranks a pool of candidates rather than every match.
RANK_POOL = 500


def page(
    conn,
    table: FacetTable,
    sort: str,
    final: np.ndarray,
    text: str,
    tsquery,
    offset,
    limit,
    plan: Plan | None = None,
) -> list[Hit]:
    """The hits from `offset` of the rows in `final`, in the query's order."""
    rows: Any = np.flatnonzero(final)
    if sort in ("name", "newest") or (sort == "relevance" and tsquery is None):
        rows = _sorted_rows(conn, table, sort, rows, offset, limit)
    else:
        asked = plan.capabilities if plan is not None else []
        rows = _ranked_rows(conn, table, rows, text, tsquery, offset, limit, asked)
    marked = {}
    if plan is not None:
        marked = {
            row.organisation_id: snippets.snippet(row.body, plan.terms, plan.prefixes)
            for row in rows
        }
    return [
        Hit(
            id=row.organisation_id,
            slug=row.slug,
            name=row.name,
            kind=row.kind,
            summary=row.summary,
            snippet=marked.get(row.organisation_id) or html.escape(row.summary),
            score=float(row.score),
        )
        for row in rows
    ]


def _sorted_rows(conn, table: FacetTable, sort: str, rows, offset: int, limit: int) -> list:
    # Positions in the order, read once per generation, pick the page among the rows.
    places = table.positions(conn, "newest" if sort == "newest" else "name")
    page_rows = arrays.page_by_position(rows, places, offset, offset + limit)
    page_ids = table.ids[page_rows].tolist()
    found = by_id(conn, page_ids, "slug, name, kind, summary, body, 0.0 AS score")
    return [found[i] for i in page_ids if i in found]


def by_id(conn, ids: list[int], columns: str) -> dict:
    """The search documents of these organisations (`columns`, SQL from this package, beside
    organisation_id), by organisation id."""
    found = conn.execute(
        sa.text(
            f"SELECT organisation_id, {columns} FROM search_documents"
            " WHERE organisation_id = ANY(:ids)"
        ),
        {"ids": ids},
    )
    return {row.organisation_id: row for row in found}


def name_phrase(column: str, joined: bool = False) -> str:
    """SQL for a name's folded words joined by spaces (hyphens dropped, if joined), as
    language.words reads them: an exact name scores on top, however it was punctuated."""
    dropped = "-" if joined else ""
    folded = f"translate(lower({column}), 'ё{dropped}', 'е')"
    return f"trim(regexp_replace({folded}, '[^[:alnum:]]+', ' ', 'g'))"


def _ranked_rows(
    conn, table: FacetTable, rows, text: str, tsquery, offset, limit, asked: list[str]
) -> list:
    ids = table.ids[rows]
    offering = np.zeros(0, dtype=np.int64)
    if asked:
        # Those offering what was asked rank first (offers.py): always in the pool.
        offering = ids[table.facets["offers"].having(asked)[rows]][:RANK_POOL]
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
        ids = np.union1d(ids, offering)
    # As one array literal: psycopg adapting hundreds of ints one by one took longer than
    # ranking them.
    ids_literal = "{" + ",".join(map(str, ids.tolist())) + "}"
    params = {"limit": limit, "offset": offset, "ids": ids_literal, "q": tsquery}
    offered = ""
    if asked:
        # Only when capabilities were asked for: it is a fifth of ranking a pool.
        offered = """+ :offer_boost * cardinality(ARRAY(
                         SELECT unnest(offers) INTERSECT
                         SELECT unnest(CAST(:asked AS text[]))))"""
        params["asked"] = "{" + ",".join(asked) + "}"
        params["offer_boost"] = offers.OFFER_BOOST
    phrase = " ".join(language.words(text))
    params["phrases"] = list(dict.fromkeys([phrase, *language.transliterations(phrase)]))
    # Equal scores in name order, Cyrillic names first for a query in Cyrillic.
    collation = name_collation(conn, cyrillic_first=language.has_cyrillic(text))
    return conn.execute(
        sa.text(
            f"""
            SELECT organisation_id, slug, name, kind, summary, body,
                   ts_rank_cd(tsv, CAST(:q AS tsquery), 1)
                   + CASE WHEN {name_phrase("name")} = ANY(:phrases)
                               OR {name_phrase("name", joined=True)} = ANY(:phrases)
                               OR {name_phrase("name_alt")} = ANY(:phrases)
                               OR {name_phrase("name_alt", joined=True)} = ANY(:phrases)
                          THEN 10 ELSE 0 END
                   {offered} AS score
            FROM search_documents
            WHERE organisation_id = ANY(CAST(:ids AS integer[]))
            ORDER BY score DESC, name COLLATE {collation}, organisation_id
            LIMIT :limit OFFSET :offset
            """
        ),
        params,
    ).all()

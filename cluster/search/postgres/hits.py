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
    plan: Plan,
    brief: bool = False,
) -> list[Hit]:
    """The hits from `offset` of the rows in `final`, in the query's order; `brief`: their
    ids and scores only, no document read (base.SearchQuery.brief)."""
    rows: Any = np.flatnonzero(final)
    # A plan without words (a listing sorted by name) has nothing to mark.
    marking = not brief and bool(plan.terms or plan.prefixes)
    if sort in ("name", "newest") or (sort == "relevance" and tsquery is None):
        page_ids = _sorted_ids(conn, table, sort, rows, offset, limit)
        if brief:
            return [_bare(found_id, 0.0) for found_id in page_ids]
        # The text snippets are cut from, only for a page that shows them.
        body = "body" if marking else "'' AS body"
        found = by_id(conn, page_ids, f"slug, name, kind, summary, {body}, 0.0 AS score")
        rows = [found[i] for i in page_ids if i in found]
    else:
        asked = plan.capabilities
        rows = _ranked_rows(conn, table, rows, text, tsquery, offset, limit, asked, brief)
        if brief:
            return [_bare(row.organisation_id, row.score) for row in rows]
    marked = {}
    if marking:
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


def _bare(found_id: int, score: float) -> Hit:
    return Hit(id=found_id, slug="", name="", kind="", summary="", snippet="", score=float(score))


def _sorted_ids(conn, table: FacetTable, sort: str, rows, offset: int, limit: int) -> list[int]:
    # Positions in the order, read once per generation, pick the page among the rows.
    places = table.positions(conn, "newest" if sort == "newest" else "name")
    page_rows = arrays.page_by_position(rows, places, offset, offset + limit)
    return table.ids[page_rows].tolist()


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


# Added to the rank of a document named exactly as the query (rows.name_phrases).
EXACT_NAME_BONUS = 10.0


def _ranked_rows(
    conn,
    table: FacetTable,
    rows,
    text: str,
    tsquery,
    offset,
    limit,
    asked: list[str],
    brief: bool = False,
) -> list:
    ids = table.ids[rows]
    phrase = " ".join(language.words(text))
    phrases = list(dict.fromkeys([phrase, *language.transliterations(phrase)]))
    # Those named exactly so, however the name was punctuated: found by their own index.
    exact = np.fromiter(
        conn.execute(
            sa.text(
                "SELECT organisation_id FROM search_documents"
                " WHERE name_phrases && CAST(:phrases AS text[])"
            ),
            {"phrases": phrases},
        ).scalars(),
        np.int64,
    )
    exact = exact[np.isin(exact, ids)]
    offering = np.zeros(0, dtype=np.int64)
    if asked:
        # Those offering what was asked rank first (offers.py): always in the pool.
        offering = ids[table.facets["offers"].having(asked)[rows]][:RANK_POOL]
    if len(ids) > RANK_POOL and offset + limit <= RANK_POOL:
        # Ranking reads every matching tsvector and is nearly all of a query's cost: rank a
        # pool of candidates (an exact name always among them), not every match.
        ids = np.union1d(np.union1d(ids[:RANK_POOL], exact), offering)
    # The bonuses are known here, from the arrays: PostgreSQL only ranks the text (computing
    # them per row in SQL took as long as the ranking).
    bonus = EXACT_NAME_BONUS * np.isin(ids, exact)
    if asked:
        pool = np.searchsorted(table.ids, ids)
        offers_column = table.facets["offers"]
        asked_count = sum(
            offers_column.having([slug])[pool].astype(int) for slug in dict.fromkeys(asked)
        )
        bonus = bonus + offers.OFFER_BOOST * asked_count
    # As array literals: psycopg adapting hundreds of ints one by one took longer than
    # ranking them. Only the few candidates with a bonus are sent with theirs.
    given = np.flatnonzero(bonus)
    params = {
        "limit": limit,
        "offset": offset,
        "q": tsquery,
        "ids": _literal(ids.tolist()),
        "bonus_ids": _literal(ids[given].tolist()),
        "bonus": _literal(bonus[given].tolist()),
    }
    # Equal scores in name order, Cyrillic names first for a query in Cyrillic.
    collation = name_collation(conn, cyrillic_first=language.has_cyrillic(text))
    # The page is picked by id and score alone; only its rows are read whole (a sort carrying
    # every candidate's text took a sixth of the ranking), and none for a brief search.
    shown = (
        "SELECT organisation_id, score FROM ranked"
        f" ORDER BY score DESC, name COLLATE {collation}, organisation_id"
        if brief
        else "SELECT d.organisation_id, d.slug, d.name, d.kind, d.summary, d.body, ranked.score"
        " FROM ranked JOIN search_documents AS d USING (organisation_id)"
        f" ORDER BY ranked.score DESC, ranked.name COLLATE {collation}, d.organisation_id"
    )
    return conn.execute(
        sa.text(
            f"""
            WITH ranked AS (
                SELECT d.organisation_id, d.name,
                       ts_rank_cd(d.tsv, CAST(:q AS tsquery), 1)
                       + coalesce(given.bonus, 0) AS score
                FROM search_documents AS d
                LEFT JOIN unnest(CAST(:bonus_ids AS integer[]), CAST(:bonus AS float8[]))
                     AS given(organisation_id, bonus) USING (organisation_id)
                WHERE d.organisation_id = ANY(CAST(:ids AS integer[]))
                ORDER BY score DESC, d.name COLLATE {collation}, d.organisation_id
                LIMIT :limit OFFSET :offset
            )
            {shown}
            """
        ),
        params,
    ).all()


def _literal(values: list) -> str:
    return "{" + ",".join(map(str, values)) + "}"

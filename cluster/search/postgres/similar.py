"""Organisations like one profile, scored over the process's arrays (cluster/search/neighbours.py):
the facet columns the searches keep, the rows of the profile's rare terms (read from
search_postings in one statement, postings.py, and kept per generation; ANALYZE's lexeme
statistics tell the common ones, left unread), then one query for the hits' rows."""

from __future__ import annotations

import html
import threading
import time
from collections import OrderedDict

import numpy as np
import sqlalchemy as sa

from .. import neighbours
from ..base import Hit
from . import postings
from .facet_table import FacetTable, unpack
from .hits import by_id as rows_by_id
from .snapshots import Snapshot

# (generation, term) -> the rows of that generation's table whose tsvector has the term, for
# similar profiles; the least recently used forgotten past TERMS_KEPT.
TERMS_KEPT = 20_000
_term_rows: OrderedDict[tuple[int, str], np.ndarray] = OrderedDict()
_term_rows_lock = threading.Lock()
# How often the lexeme statistics of ANALYZE are read again.
STATISTICS_SECONDS = 600.0
_statistics: dict[str, tuple[float, dict[str, float]]] = {}


def common_terms(conn) -> dict[str, float]:
    """The lexemes ANALYZE found most common in search_documents, with the share having each.

    Enough to leave the common terms of a profile unread, without counting anything.
    """
    url = str(conn.engine.url)
    kept = _statistics.get(url)
    if kept is not None and time.monotonic() - kept[0] < STATISTICS_SECONDS:
        return kept[1]
    row = conn.execute(
        sa.text(
            "SELECT CAST(CAST(most_common_elems AS text) AS text[]) AS lexemes,"
            " most_common_elem_freqs AS shares FROM pg_stats"
            " WHERE tablename = 'search_documents' AND attname = 'tsv'"
        )
    ).first()
    shares = {}
    if row is not None and row.lexemes:
        shares = dict(zip(row.lexemes, row.shares, strict=False))
    _statistics[url] = (time.monotonic(), shares)
    return shares


def term_rows(snap: Snapshot, table: FacetTable, terms: list[str]) -> dict[str, np.ndarray]:
    """Each term's rows in the table, the ones not kept read in one statement."""
    found = {}
    with _term_rows_lock:
        for term in terms:
            key = (table.generation, term)
            if key in _term_rows:
                _term_rows.move_to_end(key)
                found[term] = _term_rows[key]
    missing = [term for term in terms if term not in found]
    if missing:
        ids = postings.term_ids(snap, missing)
        if ids is None:
            ids = through_gin(snap, missing)
        read = {term: _rows(table, ids[term]) for term in missing}
        with _term_rows_lock:
            for term, term_rows_found in read.items():
                _term_rows[(table.generation, term)] = term_rows_found
            while len(_term_rows) > TERMS_KEPT:
                _term_rows.popitem(last=False)
        found.update(read)
    return found


def through_gin(snap: Snapshot, terms: list[str]) -> dict[str, np.ndarray]:
    """Each term's organisation ids read through the GIN index, as a search does (engine.py):
    a visit to each row holding it."""
    read = dict.fromkeys(terms, np.zeros(0, dtype=np.int64))
    snap.use_indexes()
    rows = snap.conn.execute(
        sa.text(
            "SELECT t.term, string_agg(int4send(d.organisation_id), CAST('' AS bytea))"
            " FROM unnest(CAST(:terms AS text[])) AS t(term)"
            " JOIN search_documents AS d"
            " ON d.tsv @@ CAST(quote_literal(t.term) AS tsquery) GROUP BY t.term"
        ),
        {"terms": terms},
    )
    for term, packed in rows:
        read[term] = unpack(packed, ">i4")
    return read


def _rows(table: FacetTable, ids: np.ndarray) -> np.ndarray:
    """The table's row numbers of these organisation ids (ids it does not hold left out)."""
    if not len(ids) or not len(table.ids):
        return np.zeros(0, dtype=np.int64)
    rows = np.minimum(np.searchsorted(table.ids, ids), len(table.ids) - 1)
    return rows[table.ids[rows] == ids]


def similar(snap: Snapshot, table: FacetTable, doc: dict, limit: int) -> list[Hit]:
    """Published organisations sharing this one's rare words, sectors and kind."""
    allowed = table.statuses(("published",)) & ~table.rows_of(np.array([doc["id"]]))
    conn = snap.conn
    shares = common_terms(conn)
    population = len(table.ids)

    def frequencies(terms: list[str]) -> dict[str, int]:
        # A term ANALYZE did not find common is taken as rare, and read.
        return {term: max(2, round(shares.get(term, 0.0) * population)) for term in terms}

    likeness = neighbours.scores(
        doc,
        lambda terms: term_rows(snap, table, terms),
        table.facets,
        allowed,
        # Without statistics (no ANALYZE yet) every candidate is read and counted.
        frequencies if shares else None,
    )
    rows, scores = neighbours.nearest(likeness, limit)
    if not len(rows):
        return []
    ids = table.ids[rows].tolist()
    by_id = rows_by_id(conn, ids, "slug, name, kind, summary")
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

"""Bringing a process's arrays up to a newer generation from the change log, not a full read.

Every statement that writes search_documents bumps the generation and logs the ids it wrote
under it (search_changes, see the search change log migration); a rebuild starts the log anew.
A process whose arrays stand for generation g reads the ids logged after g in the same snapshot
as the rest of its search, then only those documents' rows: after a one-row edit that is two
small queries, where reading every row again took a second at 100,000. Several hosts on one
database each follow the log on their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import sqlalchemy as sa

from .. import arrays

if TYPE_CHECKING:
    from .facet_table import FacetTable

# More changed documents than this since a process's generation: reading everything is as quick.
MAX_CHANGES = 2000

# For each sort order (facet_table.ORDERS): the next row in that order, among unchanged rows.
SUCCESSORS = {
    "name": """
        SELECT c.organisation_id, (
            SELECT d.organisation_id FROM search_documents AS d
            WHERE (d.name COLLATE {collation}, d.organisation_id)
                  > (c.name COLLATE {collation}, c.organisation_id)
              AND d.organisation_id <> ALL(:ids)
            ORDER BY d.name COLLATE {collation}, d.organisation_id LIMIT 1)
        FROM search_documents AS c WHERE c.organisation_id = ANY(:ids)
        ORDER BY c.name COLLATE {collation}, c.organisation_id
    """,
    "newest": """
        SELECT c.organisation_id, (
            SELECT d.organisation_id FROM search_documents AS d
            WHERE (d.created_at, d.organisation_id) < (c.created_at, c.organisation_id)
              AND d.organisation_id <> ALL(:ids)
            ORDER BY d.created_at DESC, d.organisation_id DESC LIMIT 1)
        FROM search_documents AS c WHERE c.organisation_id = ANY(:ids)
        ORDER BY c.created_at DESC, c.organisation_id DESC
    """,
}


def changed_ids(conn, since: int, generation: int) -> np.ndarray | None:
    """The organisation ids written after generation `since` up to `generation`, sorted.

    None when the log cannot tell (a rebuild since, or older than what it keeps) or when so
    many changed that reading everything again is the better way.
    """
    start = conn.execute(sa.text("SELECT changes_since FROM search_state")).scalar_one()
    if since < start:
        return None
    return logged_ids(conn, since, generation)


def logged_ids(conn, since: int, generation: int) -> np.ndarray | None:
    """changed_ids for a caller that has checked the log holds everything after `since`."""
    found = conn.execute(
        sa.text(
            "SELECT DISTINCT organisation_id FROM search_changes"
            " WHERE generation > :since AND generation <= :generation LIMIT :limit"
        ),
        {"since": since, "generation": generation, "limit": MAX_CHANGES + 1},
    ).scalars()
    ids = np.array(sorted(found), dtype=np.int64)
    return None if len(ids) > MAX_CHANGES else ids


def current_rows(conn, ids: np.ndarray, columns: dict[str, str]) -> dict[int, list[str]]:
    """Organisation id -> the values of these columns (facet -> column), for the ids still
    indexed; "" for none."""
    selected = ", ".join(f"coalesce({column}, '')" for column in columns.values())
    found = conn.execute(
        sa.text(
            f"SELECT organisation_id, {selected} FROM search_documents"
            " WHERE organisation_id = ANY(:ids)"
        ),
        {"ids": ids.tolist()},
    )
    return {row[0]: list(row[1:]) for row in found}


def moved_places(
    conn, table: FacetTable, order: str, collation: str, places: np.ndarray, changed: np.ndarray
) -> np.ndarray:
    """Each row's place in a sort order, from an earlier generation's places and the rows
    changed since: the unchanged rows keep their order, each changed row still indexed goes
    just before its next unchanged row in the order (read by index, a lookup a row), and rows
    no longer indexed go last (no search shows them)."""
    size = len(table.ids)
    is_changed = np.zeros(size, dtype=bool)
    is_changed[changed] = True
    is_changed[len(places) :] = True
    # Places are a permutation: the order is its inverse, no sort needed.
    old_order = np.empty(len(places), dtype=np.int64)
    old_order[places] = np.arange(len(places))
    kept = old_order[~is_changed[old_order]]
    place_in_kept = np.full(size, len(kept), dtype=np.int64)
    place_in_kept[kept] = np.arange(len(kept))
    found = conn.execute(
        sa.text(SUCCESSORS[order].format(collation=collation)),
        {"ids": table.ids[np.flatnonzero(is_changed)].tolist()},
    ).all()
    rows = table.rows_index([row[0] for row in found])
    successors = [row[1] for row in found]
    at = np.full(len(found), len(kept), dtype=np.int64)
    following = [n for n, successor in enumerate(successors) if successor is not None]
    if following:
        at[following] = place_in_kept[table.rows_index([successors[n] for n in following])]
    ordered = np.insert(kept, at, rows)
    gone = np.setdiff1d(np.flatnonzero(is_changed), rows)
    return arrays.positions(np.concatenate([ordered, gone]))

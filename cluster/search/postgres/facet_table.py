"""The PostgreSQL engine's per-process arrays: its documents' facet columns and term match sets.

Counting six facets in SQL over a word that matches half the directory read every matching row
(about 3 µs a row: 200 ms at 100,000 organisations). Here each process reads every document's
status and facet values once into the array core's columns (cluster/search/arrays.py), and a
search asks PostgreSQL only which rows match its words. The columns belong to one generation of
search_documents (see the search_state migration): a search reads the generation first, in the
same snapshot as the rest of its statements, and reloads them whenever it has moved, so every
server process counts exactly what its own snapshot of the table holds.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa

from .. import arrays
from . import changes
from .tsquery import parse_tsquery

SCALAR_COLUMNS = {"kind": "kind", "residency": "residency", "stage": "stage", "city": "city"}
ARRAY_COLUMNS = {facet: f"{facet}_key" for facet in ("sector", "looking_for", "offers", "needs")}
# Terms' match sets a process keeps per generation (a bit a document: 12.5 kB at 100,000).
POSTINGS_KEPT = 2000
ORDERS = {
    "name": "name COLLATE {collation}, organisation_id",
    "newest": "created_at DESC, organisation_id DESC",
}
# Joins one column's values into one text: no stored value holds it (clean_text drops it).
RECORD = "\x1e"
# Joins the values of a multi-valued facet in sector_key / looking_for_key.
KEY_SEPARATOR = "\x1f"


def unpack(packed: bytes | None, dtype: str) -> np.ndarray:
    """Big-endian integers packed by PostgreSQL's int4send (and kin) into one bytea."""
    return np.frombuffer(packed or b"", dtype=dtype).astype(np.int64)


class FacetTable:
    """Every indexed document's status and facet values, row i being organisation ids[i].

    Made whole by `load`, or from the previous generation's table and the documents changed
    since (changes.py): then the term match sets and sort orders the previous table had
    worked out are carried over as `stale`, and brought up to date for the changed rows only
    when a search first asks for them.
    """

    def __init__(
        self,
        generation: int,
        ids: np.ndarray,
        facets: dict[str, arrays.FacetColumn],
        stale: Stale | None = None,
    ) -> None:
        self.generation = generation
        self.ids = ids
        # facet -> its column; "status" included.
        self.facets = facets
        self.stale = stale or Stale()
        self._positions: dict[str, np.ndarray] = {}
        self._term_matches = arrays.MatchSets(len(self.ids), POSTINGS_KEPT)
        self._remembered = arrays.Remembered(POSTINGS_KEPT)

    @classmethod
    def load(cls, conn, generation: int) -> FacetTable:
        """Read every document's status and facet values."""
        # Each column comes as one value (ids packed as bytes, texts joined): reading 100,000
        # rows as Python objects took seconds, this takes a fraction of one.
        names = {"status": "status", **SCALAR_COLUMNS, **ARRAY_COLUMNS}
        row = conn.execute(
            sa.text(
                "SELECT string_agg(int4send(organisation_id), CAST('' AS bytea)), "
                + ", ".join(f"string_agg(coalesce({c}, ''), :record)" for c in names.values())
                + " FROM search_documents"
            ),
            {"record": RECORD},
        ).one()
        # Every aggregate read the rows in the same order; sort them all by id.
        ids = unpack(row[0], ">i4")
        order = np.argsort(ids, kind="stable")
        facets: dict[str, arrays.FacetColumn] = {}
        for joined, facet in zip(row[1:], names, strict=True):
            keys = (joined or "").split(RECORD) if len(ids) else []
            separator = KEY_SEPARATOR if facet in ARRAY_COLUMNS else None
            facets[facet] = arrays.FacetColumn.from_keys(keys, separator).reordered(order)
        return cls(generation, ids[order], facets)

    def advanced(self, conn, generation: int) -> FacetTable | None:
        """The table of a newer generation, made from this one and the documents changed
        since; None when it has to be read whole (see changes.changed_ids)."""
        ids = changes.changed_ids(conn, self.generation, generation)
        if ids is None:
            return None
        # Membership by binary search: np.setdiff1d sorts both, 100 ms at 100,000 rows.
        held = self.rows_of(ids)
        added = ids[~np.isin(ids, self.ids[held])] if len(self.ids) else ids
        if len(added) and len(self.ids) and added[0] < self.ids[-1]:
            return None  # rows stay in id order: only ids above every other one are appended
        all_ids = np.concatenate([self.ids, added])
        rows = np.searchsorted(all_ids, ids)
        names = {"status": "status", **SCALAR_COLUMNS, **ARRAY_COLUMNS}
        found = changes.current_rows(conn, ids, names)
        # A document no longer indexed holds no value, so no search finds or counts it.
        gone = [""] * len(names)
        facets = {}
        for number, facet in enumerate(names):
            keys = [found.get(int(i), gone)[number] for i in ids]
            separator = KEY_SEPARATOR if facet in ARRAY_COLUMNS else None
            facets[facet] = self.facets[facet].updated(rows, keys, len(all_ids), separator)
        return FacetTable(generation, all_ids, facets, self.carried(rows))

    def rows_index(self, ids) -> np.ndarray:
        """The rows of these organisation ids, every one of them held."""
        return np.searchsorted(self.ids, np.asarray(ids, dtype=np.int64))

    def carried(self, changed_rows: np.ndarray) -> Stale:
        """What a table made from this one after changes to these rows may take over."""
        stale = Stale()
        for key, packed in self._term_matches.packed_items():
            stale.matches[key] = (packed, len(self.ids), changed_rows)
        for key, (packed, size, rows) in self.stale.matches.items():
            if key not in stale.matches:
                stale.matches[key] = (packed, size, np.union1d(rows, changed_rows))
        for order, places in self._positions.items():
            stale.positions[order] = (places, changed_rows)
        for order, (places, rows) in self.stale.positions.items():
            if order not in stale.positions:
                stale.positions[order] = (places, np.union1d(rows, changed_rows))
        return stale

    def __len__(self) -> int:
        return len(self.ids)

    def remember(self, key: tuple, compute):
        """A value that holds for this generation, computed once (the least recent forgotten)."""
        return self._remembered.get(key, compute)

    def matching(self, conn, tsquery: str) -> np.ndarray:
        """The rows whose text matches a tsquery, from the match sets of its terms.

        Fetching the ids of 65,000 matches costs PostgreSQL 50-150 ms (it visits each row), so
        each term's set is fetched once per generation and kept; a query of ANDs and ORs of
        terms is then evaluated here. Anything else is asked of PostgreSQL whole (and kept).
        """
        tree = parse_tsquery(tsquery)
        if tree is None:
            return self._term_rows(conn, tsquery)

        def evaluate(node) -> np.ndarray:
            if node[0] == "term":
                return self._term_rows(conn, node[1])
            masks = [evaluate(child) for child in node[1]]
            combine = np.logical_and if node[0] == "and" else np.logical_or
            return combine.reduce(masks)

        return evaluate(tree)

    def _term_rows(self, conn, tsquery: str) -> np.ndarray:
        return self.rows_where(conn, "tsv @@ CAST(:value AS tsquery)", tsquery)

    def rows_where(self, conn, condition: str, value: str) -> np.ndarray:
        """The rows meeting an SQL condition on search_documents (with :value), fetched once
        per generation and kept; a table made after changes asks again for the changed rows
        only."""
        key = (condition, value)
        query = "SELECT string_agg(int4send(organisation_id), CAST('' AS bytea))"
        query += f" FROM search_documents WHERE ({condition})"

        def fetch() -> np.ndarray:
            ids = conn.execute(sa.text(query), {"value": value}).scalar()
            return self.rows_of(unpack(ids, ">i4"))

        def patched() -> np.ndarray:
            packed, size, rows = self.stale.matches[key]
            mask = np.zeros(len(self.ids), dtype=bool)
            mask[:size] = np.unpackbits(packed, count=size).view(bool)
            mask[rows] = False
            ids = conn.execute(
                sa.text(query + " AND organisation_id = ANY(:ids)"),
                {"value": value, "ids": self.ids[rows].tolist()},
            ).scalar()
            return mask | self.rows_of(unpack(ids, ">i4"))

        return self._term_matches.get(key, patched if key in self.stale.matches else fetch)

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """A mask of the rows holding these organisation ids (ids not held are ignored)."""
        mask = np.zeros(len(self.ids), dtype=bool)
        if len(ids) and len(self.ids):
            rows = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
            mask[rows[self.ids[rows] == ids]] = True
        return mask

    def statuses(self, statuses) -> np.ndarray:
        """A mask of the rows with any of these statuses."""
        return self.facets["status"].having(statuses)

    def positions(self, conn, order: str) -> np.ndarray:
        """Each row's place in a sort order (ORDERS), read once per generation when needed."""
        places = self._positions.get(order)
        if places is None and order in self.stale.positions:
            collation = name_collation(conn)
            places = changes.moved_places(
                conn, self, order, collation, *self.stale.positions[order]
            )
            self._positions[order] = places
        if places is None:
            ordered = conn.execute(
                sa.text(
                    "SELECT string_agg(int4send(organisation_id), CAST('' AS bytea)"
                    f" ORDER BY {ORDERS[order].format(collation=name_collation(conn))})"
                    " FROM search_documents"
                )
            ).scalar()
            places = arrays.positions(np.searchsorted(self.ids, unpack(ordered, ">i4")))
            self._positions[order] = places
        return places


@dataclass
class Stale:
    """What a table took over from its predecessor, each with the rows changed since."""

    # (condition, value) -> (packed match set, how many rows it covers, rows changed since)
    matches: dict[Hashable, tuple[np.ndarray, int, np.ndarray]] = field(default_factory=dict)
    # order -> (places, rows changed since)
    positions: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


_collations: dict[bool, str] = {}


def name_collation(conn, cyrillic_first: bool = False) -> str:
    """The collation names sort by: ICU's root one, or its Russian one (Cyrillic first).

    As language.sort_key orders them for Whoosh. A server without ICU sorts by "C", which
    also puts Latin first but "ё" after "я" and every capital before every small letter.
    """
    if cyrillic_first not in _collations:
        name = "ru-x-icu" if cyrillic_first else "und-x-icu"
        icu = conn.execute(
            sa.text("SELECT 1 FROM pg_collation WHERE collname = :name"), {"name": name}
        ).scalar()
        _collations[cyrillic_first] = f'"{name}"' if icu else '"C"'
    return _collations[cyrillic_first]

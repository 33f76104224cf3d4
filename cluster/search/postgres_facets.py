"""The PostgreSQL engine's facet values, held per process as arrays and counted with numpy.

Counting six facets in SQL over a word that matches half the directory read every matching row
(about 3 µs a row: 200 ms at 100,000 organisations). Here each process keeps every document's
facet values as small integer codes, one array per facet, and a search asks PostgreSQL only for
the ids that match its words. The arrays belong to one generation of search_documents (see the
search_state migration): a search reads the generation first, in the same snapshot as the rest
of its statements, and reloads the arrays whenever it has moved, so every server process
counts exactly what its own snapshot of the table holds.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

import numpy as np
import sqlalchemy as sa

from .base import FACETS

SCALAR_COLUMNS = {"kind": "kind", "residency": "residency", "stage": "stage", "city": "city"}
ARRAY_COLUMNS = {"sector": "sector_key", "looking_for": "looking_for_key"}
# How many terms' match sets a process keeps per generation (a bit per document each: 12.5 kB
# at 100,000 organisations).
POSTINGS_KEPT = 2000
ORDERS = {
    "name": 'lower(name) COLLATE "C", organisation_id',
    "newest": "created_at DESC, organisation_id DESC",
}


# Joins one column's values into one text: no stored value holds it (clean_text drops it).
RECORD = "\x1e"
# Joins the values of a multi-valued facet in sector_key / looking_for_key.
KEY_SEPARATOR = "\x1f"


def unpack(packed: bytes | None, dtype: str) -> np.ndarray:
    """Big-endian integers packed by PostgreSQL's int4send (and kin) into one bytea."""
    return np.frombuffer(packed or b"", dtype=dtype).astype(np.int64)


def encode(joined: str | None, count: int) -> tuple[np.ndarray, list[str]]:
    """Codes for a column joined into one text, and the value each code stands for."""
    items = (joined or "").split(RECORD) if count else []
    values = sorted(set(items))
    position = {value: code for code, value in enumerate(values)}
    return np.fromiter(map(position.__getitem__, items), np.int32, count), values


class FacetTable:
    """Every indexed document's status and facet values, row i being organisation ids[i]."""

    def __init__(self, conn, generation: int) -> None:
        self.generation = generation
        # Each column comes as one value (ids packed as bytes, texts joined): reading 100,000
        # rows as Python objects took seconds, this takes a fraction of one.
        columns = ["status", *SCALAR_COLUMNS.values(), *ARRAY_COLUMNS.values()]
        row = conn.execute(
            sa.text(
                "SELECT string_agg(int4send(organisation_id), CAST('' AS bytea)), "
                + ", ".join(f"string_agg(coalesce({c}, ''), :record)" for c in columns)
                + " FROM search_documents"
            ),
            {"record": RECORD},
        ).one()
        # Every aggregate read the rows in the same order; sort them all by id.
        ids = unpack(row[0], ">i4")
        order = np.argsort(ids, kind="stable")
        self.ids = ids[order]
        self.codes: dict[str, np.ndarray] = {}
        self.values: dict[str, list] = {}
        for n, name in enumerate(("status", *SCALAR_COLUMNS), start=1):
            codes, self.values[name] = encode(row[n], len(ids))
            self.codes[name] = codes[order]
        # A multi-valued facet codes each document's set of values; the few distinct sets
        # map to their values through a matrix (one row per set, one column per value).
        self.matrix: dict[str, np.ndarray] = {}
        for n, facet in enumerate(ARRAY_COLUMNS, start=1 + len(("status", *SCALAR_COLUMNS))):
            codes, keys = encode(row[n], len(ids))
            sets = [key.split(KEY_SEPARATOR) if key else [] for key in keys]
            values = sorted({value for items in sets for value in items})
            position = {value: i for i, value in enumerate(values)}
            of_set = np.zeros((len(sets), len(values)), dtype=np.int64)
            for i, items in enumerate(sets):
                of_set[i, [position[value] for value in items]] = 1
            self.codes[facet], self.matrix[facet], self.values[facet] = codes[order], of_set, values
        self.ranks: dict[str, np.ndarray] = {}
        self.postings: OrderedDict[str, np.ndarray] = OrderedDict()
        self.remembered: OrderedDict[tuple, object] = OrderedDict()
        self.lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.ids)

    def remember(self, key: tuple, compute):
        """A value that holds for this generation, computed once (the least recent forgotten)."""
        with self.lock:
            if key in self.remembered:
                self.remembered.move_to_end(key)
                return self.remembered[key]
        value = compute()
        with self.lock:
            self.remembered[key] = value
            while len(self.remembered) > POSTINGS_KEPT:
                self.remembered.popitem(last=False)
        return value

    def matching(self, conn, tsquery: str) -> np.ndarray:
        """The rows whose text matches a tsquery, from the match sets of its terms.

        Fetching the ids of 65,000 matches costs PostgreSQL 50-150 ms (it visits each row), so
        each term's set is fetched once per generation and kept; a query of ANDs and ORs of
        terms is then evaluated here. Anything else is asked of PostgreSQL whole (and kept).
        """
        tree = parse_tsquery(tsquery)
        if tree is None:
            return self._posting(conn, tsquery)

        def evaluate(node) -> np.ndarray:
            if node[0] == "term":
                return self._posting(conn, node[1])
            masks = [evaluate(child) for child in node[1]]
            combine = np.logical_and if node[0] == "and" else np.logical_or
            return combine.reduce(masks)

        return evaluate(tree)

    def _posting(self, conn, tsquery: str) -> np.ndarray:
        with self.lock:
            packed = self.postings.get(tsquery)
            if packed is not None:
                self.postings.move_to_end(tsquery)
        if packed is None:
            ids = conn.execute(
                sa.text(
                    "SELECT string_agg(int4send(organisation_id), CAST('' AS bytea))"
                    " FROM search_documents WHERE tsv @@ CAST(:q AS tsquery)"
                ),
                {"q": tsquery},
            ).scalar()
            packed = np.packbits(self.rows_of(unpack(ids, ">i4")))
            with self.lock:
                self.postings[tsquery] = packed
                while len(self.postings) > POSTINGS_KEPT:
                    self.postings.popitem(last=False)
        return np.unpackbits(packed, count=len(self.ids)).view(bool)

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """A mask of the rows holding these organisation ids (ids not held are ignored)."""
        mask = np.zeros(len(self.ids), dtype=bool)
        if len(ids) and len(self.ids):
            rows = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
            mask[rows[self.ids[rows] == ids]] = True
        return mask

    def statuses(self, statuses) -> np.ndarray:
        wanted = [i for i, value in enumerate(self.values["status"]) if value in set(statuses)]
        return np.isin(self.codes["status"], wanted)

    def selection(self, facet: str, selected: list[str]) -> np.ndarray:
        """The rows carrying any of the selected values of one facet."""
        values = self.values[facet]
        wanted = np.array([i for i, value in enumerate(values) if value in set(selected)], int)
        if facet in self.matrix:
            # The sets holding any selected value.
            wanted = np.flatnonzero(self.matrix[facet][:, wanted].any(axis=1))
        return np.isin(self.codes[facet], wanted)

    def count(self, facet: str, rows: np.ndarray) -> dict[str, int]:
        """How many of these rows carry each value of a facet (empty values left out)."""
        if facet in self.matrix:
            counts = np.bincount(self.codes[facet][rows], minlength=len(self.matrix[facet]))
            counts = counts @ self.matrix[facet]
        else:
            counts = np.bincount(self.codes[facet][rows], minlength=len(self.values[facet]))
        return {
            value: int(n)
            for value, n in zip(self.values[facet], counts.tolist(), strict=False)
            if n and value not in (None, "")
        }

    def rank(self, conn, order: str) -> np.ndarray:
        """Each row's position in a sort order, read once per generation when first needed."""
        with self.lock:
            if order not in self.ranks:
                ordered = conn.execute(
                    sa.text(
                        "SELECT string_agg(int4send(organisation_id), CAST('' AS bytea)"
                        f" ORDER BY {ORDERS[order]}) FROM search_documents"
                    )
                ).scalar()
                rows = np.searchsorted(self.ids, unpack(ordered, ">i4"))
                rank = np.empty(len(self.ids), dtype=np.int64)
                rank[rows] = np.arange(len(rows))
                self.ranks[order] = rank
            return self.ranks[order]


def facet_counts(
    table: FacetTable, matched: np.ndarray, filters: dict[str, list[str]]
) -> tuple[np.ndarray, dict[str, dict[str, int]]]:
    """The rows passing every selection, and each facet's counts under the others' selections."""
    selections = {facet: table.selection(facet, values) for facet, values in filters.items()}

    def passing(skip: str | None = None) -> np.ndarray:
        rows = matched
        for facet, selected in selections.items():
            if facet != skip:
                rows = rows & selected
        return rows

    final = passing()
    facets = {
        facet: table.count(facet, final if facet not in selections else passing(facet))
        for facet in FACETS
    }
    return final, facets


# A tsquery as PostgreSQL prints it: quoted lexemes, maybe prefixes (:*), & | and brackets.
TSQUERY_TOKEN = re.compile(r"\s*(?:('(?:[^'\\]|''|\\.)*'(?::\*)?)(?![:\w])|([&|()]))")


def tsquery_tokens(text: str) -> list[str] | None:
    """The lexemes, operators and brackets of a tsquery; None if it holds anything else."""
    tokens = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = TSQUERY_TOKEN.match(text, position)
        if not match:
            return None
        tokens.append(match.group(1) or match.group(2))
        position = match.end()
    return tokens


def parse_tsquery(text: str):
    """A tree of ("term", tsquery), ("and", [...]) and ("or", [...]); None for anything else.

    Negation, phrases and weights are left to PostgreSQL (None).
    """
    tokens = tsquery_tokens(text)
    if not tokens:
        return None

    def expression(i: int, operator: str):
        # "or" binds loosest; each level gathers its operands.
        children = []
        while True:
            if operator == "or":
                node, i = expression(i, "and")
            elif tokens[i] == "(":
                node, i = expression(i + 1, "or")
                if i >= len(tokens) or tokens[i] != ")":
                    raise ValueError("unclosed bracket")
                i += 1
            elif tokens[i] in "&|)":
                raise ValueError("operator without an operand")
            else:
                node, i = ("term", tokens[i]), i + 1
            children.append(node)
            joiner = {"or": "|", "and": "&"}.get(operator)
            if joiner and i < len(tokens) and tokens[i] == joiner:
                i += 1
                continue
            break
        if len(children) == 1:
            return children[0], i
        return (operator, children), i

    try:
        tree, end = expression(0, "or")
    except (ValueError, IndexError):
        return None
    return tree if end == len(tokens) else None

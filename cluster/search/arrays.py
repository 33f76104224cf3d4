"""The array core both engines count, filter and sort with, built once per index generation.

Each engine finds the rows matching a query its own way (Whoosh postings, PostgreSQL term match
sets) and hands over boolean row masks. Here every row's facet values are small integer codes:
masks, facet counts and the rows of a page come from NumPy instead of a pass over the matching
rows in Python or in SQL. A row is a Whoosh docnum or a PostgreSQL document in id order.
The facet columns themselves are in columns.py.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .base import FACETS
from .columns import NO_VALUE, FacetColumn

__all__ = ["NO_VALUE", "FacetColumn"]


def edits_allowed(word: str) -> int:
    """How many edits may correct a mistyped word: none under four letters, one up to five."""
    if len(word) < 4:
        return 0
    return 1 if len(word) <= 5 else 2


def _selections(columns: Mapping[str, FacetColumn], filters: Mapping) -> dict[str, np.ndarray]:
    return {f: columns[f].having(v) for f, v in filters.items() if v and f in FACETS}


def selected(
    columns: Mapping[str, FacetColumn], matched: np.ndarray, filters: Mapping
) -> np.ndarray:
    """The rows passing every selection, nothing counted (facet_counts gives the counts too)."""
    return np.logical_and.reduce([matched, *_selections(columns, filters).values()])


def facet_counts(
    columns: Mapping[str, FacetColumn], matched: np.ndarray, filters: Mapping[str, Iterable[str]]
) -> tuple[np.ndarray, dict[str, dict[str, int]]]:
    """The rows passing every selection, and each facet's counts under the others' selections.

    Values of one facet widen (OR), facets narrow (AND); a facet's own selection never narrows
    its counts, so that another of its values can still be added.
    """
    selections = _selections(columns, filters)
    final = np.logical_and.reduce([matched, *selections.values()])
    # The rows passing everything, by number, shared by every facet without a selection.
    passing = np.flatnonzero(final)
    counts = {}
    for facet in FACETS:
        among = passing
        if facet in selections:
            others = [mask for name, mask in selections.items() if name != facet]
            among = np.flatnonzero(np.logical_and.reduce([matched, *others]))
        counts[facet] = columns[facet].counts(among)
    return final, counts


def match_words(
    visible: np.ndarray, per_word: Sequence[np.ndarray]
) -> tuple[np.ndarray, list[int], bool]:
    """The visible rows a query of these words' row masks finds, the words none of them has,
    and whether the rows match only some of the words.

    Every word that some visible row has is required; a word none has is left out (the page
    says so) rather than emptying the results; when no row has every remaining word, any
    one of them may do.
    """
    present = [bool((mask & visible).any()) for mask in per_word]
    missing = [number for number, found in enumerate(present) if not found]
    required = [mask for mask, found in zip(per_word, present, strict=True) if found]
    if not required:
        return np.zeros_like(visible), missing, False
    matched = np.logical_and.reduce([visible, *required])
    if matched.any():
        return matched, missing, bool(missing)
    return visible & np.logical_or.reduce(required), missing, True


def merged_places(runs: Sequence[tuple[Sequence, np.ndarray]]) -> np.ndarray:
    """Each row's place in the stable sort of several runs' rows, one run after another.

    A run is (its keys in sorted order, its rows in that order), rows counted from 0 within
    the run; equal keys keep run order, as sorting the runs' keys concatenated would. Only
    the smaller run of each pair is looked up in the larger one (bisect, which reads the
    keys as a sequence: they may be read lazily), so merging a few new rows into 100,000
    costs a few lookups and some array sums, not a sort.
    """
    places = [np.arange(len(keys), dtype=np.int64) for keys, _ in runs]
    for s, (keys_s, _) in enumerate(runs):
        # Where the rows of smaller runs land among this run's rows, counted in one array.
        landed = np.zeros(len(keys_s) + 1, dtype=np.int64)
        for t, (keys_t, _) in enumerate(runs):
            if s == t or not len(keys_t):
                continue
            # Rows of t before a row of s with key k: those with a smaller key, and those
            # with an equal key when t comes first.
            before = bisect.bisect_right if t < s else bisect.bisect_left
            if len(keys_s) <= len(keys_t):
                places[s] += np.array([before(keys_t, key) for key in keys_s], dtype=np.int64)
            else:
                # Each of t's rows lands at an index of s: count how many land at or before.
                after = bisect.bisect_left if t < s else bisect.bisect_right
                landing = np.array([after(keys_s, key) for key in keys_t], dtype=np.int64)
                landed += np.bincount(landing, minlength=len(keys_s) + 1)
        if landed.any():
            places[s] += np.cumsum(landed)[:-1]
    merged = np.empty(sum(len(keys) for keys, _ in runs), dtype=np.int64)
    offset = 0
    for (keys, rows), run_places in zip(runs, places, strict=True):
        merged[offset + rows] = run_places
        offset += len(keys)
    return merged


class KeysInOrder(Sequence):
    """Rows' keys in a sort order, as merged_places bisects them: each read through `key_of`
    only when looked at, and kept in `read` (by place) for the next look."""

    def __init__(self, order: np.ndarray, key_of: Callable[[int], Any], read: dict[int, Any]):
        self._order = order
        self._key_of = key_of
        self._read = read

    def __len__(self) -> int:
        return len(self._order)

    def __getitem__(self, index):  # bisect reads it by integer index only
        key = self._read.get(index)
        if key is None:
            key = self._read[index] = self._key_of(int(self._order[index]))
        return key


def positions(order: np.ndarray) -> np.ndarray:
    """Each row's place in a sort order given as the rows from first to last."""
    places = np.empty(len(order), dtype=np.int64)
    places[order] = np.arange(len(order))
    return places


def page_by_position(rows: np.ndarray, places: np.ndarray, start: int, stop: int) -> np.ndarray:
    """The rows from start to stop in the order of their (distinct) places.

    Only the first `stop` are sorted: argpartition finds them, whichever way ties would fall,
    as places are distinct.
    """
    keys = places[rows]
    nearest = np.arange(len(rows))
    if len(rows) > stop:
        nearest = np.argpartition(keys, stop - 1)[:stop]
    return rows[nearest[np.argsort(keys[nearest], kind="stable")]][start:stop]


def top_by_score(
    rows: np.ndarray, scores: np.ndarray, stop: int, places: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The best `stop` rows and their scores: best first; among equals, the lower place first
    (each row's place in an order, given alongside the rows), then the lower row."""
    if places is None:
        places = rows
    if len(rows) > stop:
        # Everything scoring at least the stop-th best, ties included.
        threshold = np.partition(-scores, stop - 1)[stop - 1]
        kept = -scores <= threshold
        rows, scores, places = rows[kept], scores[kept], places[kept]
    order = np.lexsort((rows, places, -scores))[:stop]
    return rows[order], scores[order]


class Remembered:
    """Values computed once per key, the least recently used forgotten past a capacity."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def items(self) -> list[tuple[Hashable, Any]]:
        """Every kept key and value, the least recently used first."""
        with self._lock:
            return list(self._values.items())

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value kept for key, or compute() kept for next time."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        # Computed outside the lock: two threads may both compute a value, never wait on one.
        value = compute()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.capacity:
                self._values.popitem(last=False)
        return value


class MatchSets:
    """Row masks computed once per key, kept packed (a bit a row: 12.5 kB at 100,000 rows)."""

    def __init__(self, size: int, capacity: int) -> None:
        self.size = size
        self._packed = Remembered(capacity)

    def get(self, key: Hashable, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """The row mask kept for key, or compute() kept for next time."""
        packed = self._packed.get(key, lambda: np.packbits(compute()))
        return np.unpackbits(packed, count=self.size).view(bool)

    def packed_items(self) -> list[tuple[Hashable, np.ndarray]]:
        """Every kept key with its mask, packed (np.unpackbits with count=size reads it)."""
        return self._packed.items()

"""The array core both engines count, filter and sort with, built once per index generation.

Each engine finds the rows matching a query its own way (Whoosh postings, PostgreSQL term match
sets) and hands over boolean row masks. Here every row's facet values are small integer codes:
masks, facet counts and the rows of a page come from NumPy instead of a pass over the matching
rows in Python or in SQL. A row is a Whoosh docnum or a PostgreSQL document in id order.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .base import FACETS

# The code of a row without a value, in a single-valued facet.
NO_VALUE = -1
# A multi-valued facet with up to this many values keys each row's set as one integer.
KEY_BITS = 64


def edits_allowed(word: str) -> int:
    """How many edits may correct a mistyped word: none under four letters, one up to five."""
    if len(word) < 4:
        return 0
    return 1 if len(word) <= 5 else 2


class FacetColumn:
    """One facet's values for every row, as codes NumPy counts over.

    A single-valued facet (kind, city) codes each row by the index of its value in `values`
    (NO_VALUE: none): a city has hundreds of values, so its rows index them directly. A
    multi-valued facet (sectors) codes each row by its set of values: the few distinct sets
    are the rows of `matrix` (one column per value, set 0 being the empty set), so counting
    is a bincount of the sets and one of their values (`members`).

    When a few documents change, a new column is made from the old one rather than read
    again (`concatenated`, `without`, `updated`): a changed row takes its new code; a value
    not seen before is appended to `values` (and a zero column to `matrix`), a set not seen
    before as a new row of `matrix`; a removed row takes the code of no value. Masks and
    counts read only these, and a value no row holds any more counts zero, which is never
    shown, so nothing else needs rebuilding. A column is never changed once made: a search
    on an older generation may still be reading it.
    """

    def __init__(self, values: list[str], codes: np.ndarray, matrix: np.ndarray | None = None):
        self.values = values
        self.codes = codes
        self.matrix = matrix
        self._members: tuple[np.ndarray, np.ndarray] | None = None

    def members(self) -> tuple[np.ndarray, np.ndarray]:
        """A multi-valued column's (set, value) pairs: the set codes, and the value of each.

        Counting goes through these rather than a product with the whole matrix: a facet of
        many values has thousands of distinct sets (offers at 100,000: 21,536 sets of 63
        values; the product took 5.7 ms a count, the pairs 0.2 ms).
        """
        if self._members is None:
            assert self.matrix is not None
            sets, values = np.nonzero(self.matrix)
            self._members = (sets, values)
        return self._members

    @classmethod
    def from_members(
        cls, values: list[str], members: Sequence[np.ndarray], size: int, multi: bool
    ) -> FacetColumn:
        """A column from the rows holding each value (an index's postings), in values' order."""
        if not multi:
            codes = np.full(size, NO_VALUE, dtype=np.int32)
            for code, rows in enumerate(members):
                codes[rows] = code
            return cls(values, codes)
        if len(values) > KEY_BITS:
            has = np.zeros((size, len(values)), dtype=bool)
            for column, rows in enumerate(members):
                has[rows, column] = True
            matrix, codes = _distinct_sets(has)
            return cls(values, codes, matrix)
        keys = np.zeros(size, dtype=np.uint64)
        for column, rows in enumerate(members):
            keys[rows] |= np.uint64(1) << np.uint64(column)
        matrix, codes = _sets_of_keys(keys, len(values))
        return cls(values, codes, matrix)

    @classmethod
    def from_keys(cls, keys: Sequence[str], separator: str | None = None) -> FacetColumn:
        """A column from each row's value as text ("" for none); with a separator, a set of them.

        Only the distinct keys are looked at, so reading 100,000 rows costs one dict lookup
        each.
        """
        distinct = sorted(set(keys))
        position = {key: code for code, key in enumerate(distinct)}
        key_codes = np.fromiter(map(position.__getitem__, keys), np.int32, len(keys))
        if separator is None:
            # "" sorts first: dropping it makes its code NO_VALUE.
            offset = 1 if distinct and not distinct[0] else 0
            return cls(distinct[offset:], key_codes - offset)
        sets = [key.split(separator) if key else [] for key in distinct]
        values = sorted({value for items in sets for value in items})
        column = {value: i for i, value in enumerate(values)}
        has = np.zeros((len(distinct), len(values)), dtype=bool)
        for i, items in enumerate(sets):
            has[i, [column[value] for value in items]] = True
        matrix, set_codes = _distinct_sets(has)
        return cls(values, set_codes[key_codes], matrix)

    @classmethod
    def concatenated(cls, columns: Sequence[FacetColumn]) -> FacetColumn:
        """One column of these columns' rows one after another (a Whoosh index's segments)."""
        if len(columns) == 1:
            return columns[0]
        values = sorted({value for column in columns for value in column.values})
        position = {value: code for code, value in enumerate(values)}
        codes = []
        if columns[0].matrix is None:
            for column in columns:
                # Old code + 1 -> new code (NO_VALUE stays NO_VALUE).
                lookup = np.array([NO_VALUE, *map(position.__getitem__, column.values)], np.int32)
                codes.append(lookup[column.codes + 1])
            return cls(values, np.concatenate(codes))
        matrices, first_set = [], 0
        for column in columns:
            assert column.matrix is not None
            matrix = np.zeros((len(column.matrix), len(values)), dtype=np.int64)
            matrix[:, [position[value] for value in column.values]] = column.matrix
            matrices.append(matrix)
            codes.append(column.codes + first_set)
            first_set += len(matrix)
        # The first column's set 0 is the empty set, so it stays the combined column's.
        return cls(values, np.concatenate(codes), np.vstack(matrices))

    def without(self, rows: np.ndarray) -> FacetColumn:
        """The same column with these rows holding no value (deleted documents)."""
        if not len(rows):
            return self
        codes = self.codes.copy()
        codes[rows] = NO_VALUE if self.matrix is None else 0
        return FacetColumn(self.values, codes, self.matrix)

    def updated(
        self, rows: np.ndarray, keys: Sequence[str], size: int, separator: str | None = None
    ) -> FacetColumn:
        """The column grown to `size` rows (new ones without a value), these rows taking the
        values of their keys (as from_keys reads them)."""
        codes = np.full(size, NO_VALUE if self.matrix is None else 0, dtype=np.int32)
        codes[: len(self.codes)] = self.codes[:size]
        values = list(self.values)
        position = {value: code for code, value in enumerate(values)}

        def code_of(value: str) -> int:
            if value not in position:
                position[value] = len(values)
                values.append(value)
            return position[value]

        if separator is None:
            codes[rows] = [code_of(key) if key else NO_VALUE for key in keys]
            return FacetColumn(values, codes)
        assert self.matrix is not None
        wanted: list[list[int]] = [
            sorted({code_of(v) for v in key.split(separator)}) if key else [] for key in keys
        ]
        matrix = np.zeros((len(self.matrix), len(values)), dtype=np.int64)
        matrix[:, : self.matrix.shape[1]] = self.matrix
        for row, columns in zip(rows.tolist(), wanted, strict=True):
            new = np.zeros(len(values), dtype=np.int64)
            new[columns] = 1
            same = np.flatnonzero((matrix == new).all(axis=1))
            if len(same):
                codes[row] = same[0]
            else:
                codes[row] = len(matrix)
                matrix = np.vstack([matrix, new])
        return FacetColumn(values, codes, matrix)

    def reordered(self, order: np.ndarray) -> FacetColumn:
        """The same column with its rows taken in this order."""
        return FacetColumn(self.values, self.codes[order], self.matrix)

    def having(self, wanted: Iterable[str]) -> np.ndarray:
        """A row mask of the rows with any of these values."""
        wanted = set(wanted)
        columns = [i for i, value in enumerate(self.values) if value in wanted]
        if self.matrix is None:
            lookup = np.zeros(len(self.values) + 1, dtype=bool)
            lookup[[column + 1 for column in columns]] = True
            return lookup[self.codes + 1]
        return np.asarray(self.matrix[:, columns].any(axis=1))[self.codes]

    def counts(self, rows: np.ndarray) -> dict[str, int]:
        """Value -> how many of these rows have it: most first, then by value; no zeros.

        `rows` is a row mask or the row numbers (np.flatnonzero of one): taking codes by
        number is about fifteen times faster than by a mask that selects half the rows.
        """
        codes = self.codes[np.flatnonzero(rows) if rows.dtype == bool else rows]
        if self.matrix is None:
            totals = np.bincount(codes + 1, minlength=len(self.values) + 1)[1:]
        else:
            sets, values = self.members()
            per_set = np.bincount(codes, minlength=len(self.matrix))
            totals = np.bincount(values, weights=per_set[sets], minlength=len(self.values))
        found = {self.values[i]: int(totals[i]) for i in np.flatnonzero(totals)}
        return dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))


def _distinct_sets(has: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a row x value matrix, the empty set first, and each row's index."""
    if has.shape[1] <= KEY_BITS:
        keys = np.zeros(len(has), dtype=np.uint64)
        for column in range(has.shape[1]):
            keys[has[:, column]] |= np.uint64(1) << np.uint64(column)
        return _sets_of_keys(keys, has.shape[1])
    rows = np.vstack([np.zeros((1, has.shape[1]), dtype=bool), has])
    # Packed into bytes, a row compares as a few bytes, not as one bool per value.
    unique, inverse = np.unique(np.packbits(rows, axis=1), axis=0, return_inverse=True)
    matrix = np.unpackbits(unique, axis=1, count=has.shape[1]).astype(np.int64)
    return matrix, inverse.reshape(-1)[1:].astype(np.int32)


def _sets_of_keys(keys: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct sets of rows keyed by bits (bit i: value i), the empty set first, and codes.

    Sorting one integer a row is ten times faster than sorting rows of a matrix.
    """
    with_empty = np.concatenate([np.zeros(1, dtype=np.uint64), keys])
    distinct, inverse = np.unique(with_empty, return_inverse=True)
    bits = np.uint64(1) << np.arange(count, dtype=np.uint64)
    matrix = ((distinct[:, None] & bits) != 0).astype(np.int64)
    return matrix, inverse.reshape(-1)[1:].astype(np.int32)


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

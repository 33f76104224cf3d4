"""A facet's values for every row as small integer codes, which NumPy masks and counts over."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

# The code of a row without a value, in a single-valued facet.
NO_VALUE = -1
# A multi-valued facet with up to this many values keys each row's set as one integer.
KEY_BITS = 64
# Row masks of selections kept per column (see FacetColumn.having).
HAVING_KEPT = 32


class FacetColumn:
    """One facet's values for every row, as codes NumPy counts over.

    A single-valued facet (kind, city) codes each row by the index of its value in `values`
    (NO_VALUE: none): a city has hundreds of values, so its rows index them directly. A
    multi-valued facet (sectors) codes each row by its set of values: the few distinct sets
    are the rows of `matrix` (one column per value, set 0 being the empty set), so counting
    is a bincount of the sets and one of their values (`members`).

    When a few documents change, a new column is made from the old one rather than read
    again (`concatenated`, `without`, `updated`): old rows keep their codes, a value not seen
    before is appended to `values`, a set not seen before to the sets. The sets are kept in
    two blocks: those of the column the new one was made from (shared, as wide as the values
    it had, never copied) and the few added since (`extra`, one column per value): at 100,000
    rows the capabilities have 20,000 distinct sets, and copying their matrix for each new
    generation was most of the first search after an edit. A removed row takes the code of
    no value; a value no row holds any more counts zero, which is never shown. A column is
    never changed once made: a search on an older generation may still be reading it.
    """

    def __init__(
        self,
        values: list[str],
        codes: np.ndarray,
        matrix: np.ndarray | None = None,
        extra: np.ndarray | None = None,
        shared: dict | None = None,
    ):
        self.values = values
        self.codes = codes
        self._sets = matrix
        self._extra = extra
        # What is worked out from `matrix` alone, for every column made from this one: each
        # new generation's column shares its large segment's sets, and finding their members
        # again (np.nonzero over 21,536 x 63) took 5 ms a facet per generation.
        self._shared = {} if shared is None else shared
        self._members: tuple[np.ndarray, np.ndarray] | None = None
        self._having: dict[frozenset[str], np.ndarray] = {}

    @property
    def matrix(self) -> np.ndarray | None:
        """Every set as a row of 0/1 per value (None for a single-valued facet)."""
        if self._sets is None:
            return None
        return np.vstack([self._widened(self._sets), *self._extra_blocks()])

    def _widened(self, sets: np.ndarray) -> np.ndarray:
        if sets.shape[1] == len(self.values):
            return sets
        wide = np.zeros((len(sets), len(self.values)), dtype=np.int64)
        wide[:, : sets.shape[1]] = sets
        return wide

    def members(self) -> tuple[np.ndarray, np.ndarray]:
        """A multi-valued column's (set, value) pairs: the set codes, and the value of each.

        Counting goes through these rather than a product with the sets' matrix: a facet of
        many values has thousands of distinct sets (offers at 100,000: 21,536 sets of 63
        values; the product took 5.7 ms a count, the pairs 0.2-0.7 ms).
        """
        if self._members is None:
            assert self._sets is not None
            if "members" not in self._shared:
                self._shared["members"] = np.nonzero(self._sets)
            sets, values = self._shared["members"]
            if self._extra is not None:
                added, added_values = np.nonzero(self._extra)
                sets = np.concatenate([sets, added + len(self._sets)])
                values = np.concatenate([values, added_values])
            self._members = (sets, values)
        return self._members

    def _extra_blocks(self) -> list[np.ndarray]:
        return [] if self._extra is None else [self._extra]

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
        """One column of these columns' rows one after another (a Whoosh index's segments).

        The largest column's values, codes and sets are taken over as they are; the others'
        are translated to them, so the cost is that of the small ones.
        """
        if len(columns) == 1:
            return columns[0]
        base = max(columns, key=lambda column: len(column.codes))
        values = list(base.values)
        position = {value: code for code, value in enumerate(values)}
        for column in columns:
            for value in column.values:
                if value not in position:
                    position[value] = len(values)
                    values.append(value)
        codes = []
        if base._sets is None:
            for column in columns:
                if column is base:
                    codes.append(column.codes)
                    continue
                # Old code + 1 -> new code (NO_VALUE stays NO_VALUE).
                lookup = np.array([NO_VALUE, *map(position.__getitem__, column.values)], np.int32)
                codes.append(lookup[column.codes + 1])
            return cls(values, np.concatenate(codes))
        extra = [np.zeros((0, len(values)), dtype=np.int64)]
        if base._extra is not None:
            extra.append(_in_columns(base._extra, range(len(base.values)), len(values)))
        first_set = len(base._sets) + sum(len(block) for block in extra)
        for column in columns:
            if column is base:
                codes.append(column.codes)
                continue
            matrix = column.matrix
            assert matrix is not None
            extra.append(_in_columns(matrix, map(position.__getitem__, column.values), len(values)))
            codes.append(column.codes + first_set)
            first_set += len(matrix)
        # The base's set 0 is the empty set, so it stays the combined column's.
        return cls(values, np.concatenate(codes), base._sets, np.vstack(extra), base._shared)

    def compacted(self) -> FacetColumn:
        """The same column with all its sets in one matrix, for columns made from it to share."""
        if self._sets is None or self._extra is None:
            return self
        return FacetColumn(self.values, self.codes, self.matrix)

    def without(self, rows: np.ndarray) -> FacetColumn:
        """The same column with these rows holding no value (deleted documents)."""
        if not len(rows):
            return self
        codes = self.codes.copy()
        codes[rows] = NO_VALUE if self._sets is None else 0
        return FacetColumn(self.values, codes, self._sets, self._extra, self._shared)

    def updated(
        self, rows: np.ndarray, keys: Sequence[str], size: int, separator: str | None = None
    ) -> FacetColumn:
        """The column grown to `size` rows (new ones without a value), these rows taking the
        values of their keys (as from_keys reads them)."""
        codes = np.full(size, NO_VALUE if self._sets is None else 0, dtype=np.int32)
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
        assert self._sets is not None
        wanted: list[list[int]] = [
            sorted({code_of(v) for v in key.split(separator)}) if key else [] for key in keys
        ]
        extra = [] if self._extra is None else [self._extra]
        count = len(self._sets) + sum(len(block) for block in extra)
        added: dict[tuple[int, ...], int] = {}
        for row, columns in zip(rows.tolist(), wanted, strict=True):
            code = added.get(tuple(columns))
            if code is None:
                code = self._set_code(columns)
            if code is None:
                code = added[tuple(columns)] = count
                count += 1
                new = np.zeros((1, len(values)), dtype=np.int64)
                new[0, columns] = 1
                extra.append(new)
            codes[row] = code
        blocks = [_in_columns(block, range(block.shape[1]), len(values)) for block in extra]
        sets_added = np.vstack(blocks) if blocks else None
        return FacetColumn(values, codes, self._sets, sets_added, self._shared)

    def _set_code(self, columns: list[int]) -> int | None:
        """The code of the set of these value columns, if the column has it already."""
        assert self._sets is not None
        width = self._sets.shape[1]
        if all(column < width for column in columns) and width <= KEY_BITS:
            # Each shared set keyed by its bits once, then looked up by binary search.
            if "keys" not in self._shared:
                bits = np.uint64(1) << np.arange(width, dtype=np.uint64)
                keys = self._sets.astype(np.uint64) @ bits
                order = np.argsort(keys, kind="stable")
                self._shared["keys"] = (keys[order], order)
            keys, order = self._shared["keys"]
            key = np.uint64(sum(1 << column for column in columns))
            at = int(np.searchsorted(keys, key))
            if at < len(keys) and keys[at] == key:
                return int(order[at])
        elif all(column < width for column in columns):
            new = np.zeros(width, dtype=np.int64)
            new[columns] = 1
            same = np.flatnonzero((self._sets == new).all(axis=1))
            if len(same):
                return int(same[0])
        if self._extra is not None:
            new = np.zeros(self._extra.shape[1], dtype=np.int64)
            if any(column >= len(new) for column in columns):
                return None
            new[columns] = 1
            same = np.flatnonzero((self._extra == new).all(axis=1))
            if len(same):
                return len(self._sets) + int(same[0])
        return None

    def reordered(self, order: np.ndarray) -> FacetColumn:
        """The same column with its rows taken in this order."""
        return FacetColumn(self.values, self.codes[order], self._sets, self._extra, self._shared)

    def having(self, wanted: Iterable[str]) -> np.ndarray:
        """A row mask of the rows with any of these values (read-only: it is kept).

        Kept per column for the few selections asked again and again (every search asks for
        the published rows, every profile for its sectors and kind): each is a pass over
        every row, 1-2 ms at 100,000.
        """
        key = frozenset(wanted)
        mask = self._having.get(key)
        if mask is None:
            mask = self._mask(key)
            mask.flags.writeable = False
            if len(self._having) >= HAVING_KEPT:
                self._having.clear()
            self._having[key] = mask
        return mask

    def _mask(self, wanted: frozenset[str]) -> np.ndarray:
        columns = [i for i, value in enumerate(self.values) if value in wanted]
        if self._sets is None:
            lookup = np.zeros(len(self.values) + 1, dtype=bool)
            lookup[[column + 1 for column in columns]] = True
            return lookup[self.codes + 1]
        width = self._sets.shape[1]
        held = np.asarray(self._sets[:, [c for c in columns if c < width]].any(axis=1))
        if self._extra is not None:
            held = np.concatenate([held, self._extra[:, columns].any(axis=1)])
        return held[self.codes]

    def counts(self, rows: np.ndarray) -> dict[str, int]:
        """Value -> how many of these rows have it: most first, then by value; no zeros.

        `rows` is a row mask or the row numbers (np.flatnonzero of one): taking codes by
        number is about fifteen times faster than by a mask that selects half the rows.
        """
        codes = self.codes[np.flatnonzero(rows) if rows.dtype == bool else rows]
        if self._sets is None:
            totals = np.bincount(codes + 1, minlength=len(self.values) + 1)[1:]
        else:
            shared = len(self._sets)
            extra = 0 if self._extra is None else len(self._extra)
            per_set = np.bincount(codes, minlength=shared + extra)
            sets, values = self.members()
            totals = np.bincount(values, weights=per_set[sets], minlength=len(self.values))
        found = {self.values[i]: int(totals[i]) for i in np.flatnonzero(totals)}
        return dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))


def _in_columns(matrix: np.ndarray, columns: Iterable[int], width: int) -> np.ndarray:
    """A set matrix's rows with its value columns moved to these columns of a wider matrix."""
    wide = np.zeros((len(matrix), width), dtype=np.int64)
    wide[:, list(columns)] = matrix
    return wide


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

"""The array core both engines count and sort with, on small hand-made columns."""

from __future__ import annotations

import numpy as np
import pytest

from cluster.search import arrays

# Six rows: each row's kind, and its sectors joined as PostgreSQL's sector_key joins them.
KINDS = ["startup", "", "manufacturer", "startup", "education", "manufacturer"]
SECTORS = ["textile", "design\x1ftextile", "", "design", "textile", "design\x1ftextile"]


def from_postings(keys: list[str], multi: bool) -> arrays.FacetColumn:
    """The column Whoosh builds: each value with the rows holding it, as its postings list."""
    values = sorted({value for key in keys for value in key.split("\x1f") if value})
    members = [
        np.array([row for row, key in enumerate(keys) if value in key.split("\x1f")])
        for value in values
    ]
    return arrays.FacetColumn.from_members(values, members, len(keys), multi)


@pytest.fixture(params=["keys", "postings"])
def columns(request) -> dict[str, arrays.FacetColumn]:
    """Every facet of the six rows, built as PostgreSQL or as Whoosh builds them."""
    if request.param == "keys":
        built = {
            "kind": arrays.FacetColumn.from_keys(KINDS),
            "sector": arrays.FacetColumn.from_keys(SECTORS, separator="\x1f"),
        }
    else:
        built = {"kind": from_postings(KINDS, False), "sector": from_postings(SECTORS, True)}
    empty = arrays.FacetColumn.from_keys([""] * len(KINDS))
    return {facet: built.get(facet, empty) for facet in arrays.FACETS}


def test_a_mask_holds_the_rows_with_any_of_the_values(columns):
    assert columns["kind"].having(["startup", "education"]).tolist() == [1, 0, 0, 1, 1, 0]
    assert columns["sector"].having(["design"]).tolist() == [0, 1, 0, 1, 0, 1]
    assert not columns["sector"].having(["unknown"]).any()
    assert not columns["stage"].having([""]).any()


def test_counts_leave_out_zeros_and_come_most_first_then_by_value(columns):
    every = np.ones(len(KINDS), dtype=bool)
    assert list(columns["kind"].counts(every).items()) == [
        ("manufacturer", 2),
        ("startup", 2),
        ("education", 1),
    ]
    assert columns["sector"].counts(every) == {"textile": 4, "design": 3}
    assert columns["city"].counts(every) == {}


def test_each_facet_counts_under_the_others_selections_only(columns):
    matched = np.array([1, 1, 1, 1, 1, 0], dtype=bool)
    final, counts = arrays.facet_counts(
        columns, matched, {"kind": ["startup", "manufacturer"], "sector": ["design"], "city": []}
    )
    assert final.tolist() == [0, 0, 0, 1, 0, 0]
    # kinds among the matched rows in design: the own selection does not narrow
    assert counts["kind"] == {"startup": 1}
    # sectors among the matched startups and manufacturers
    assert counts["sector"] == {"textile": 1, "design": 1}
    assert counts["residency"] == {}


def test_rows_of_a_reordered_column_follow_the_order():
    column = arrays.FacetColumn.from_keys(SECTORS, separator="\x1f").reordered(np.arange(6)[::-1])
    assert column.having(["design"]).tolist() == [1, 0, 1, 0, 1, 0]


def test_a_page_by_position_is_the_slice_of_the_whole_order():
    generator = np.random.default_rng(1)
    places = arrays.positions(generator.permutation(1000))
    rows = np.flatnonzero(generator.random(1000) < 0.4)
    ordered = rows[np.argsort(places[rows])]
    for start, stop in ((0, 20), (20, 40), (380, 420), (0, 5000)):
        assert arrays.page_by_position(rows, places, start, stop).tolist() == (
            ordered[start:stop].tolist()
        )


def test_the_top_by_score_is_the_best_with_the_lower_row_first_among_equals():
    generator = np.random.default_rng(2)
    rows = np.sort(generator.choice(10_000, 800, replace=False))
    scores = generator.integers(0, 30, len(rows)).astype(float)  # many ties
    order = np.lexsort((rows, -scores))
    for stop in (1, 20, 799, 800, 900):
        best, best_scores = arrays.top_by_score(rows, scores, stop)
        assert best.tolist() == rows[order][:stop].tolist()
        assert best_scores.tolist() == scores[order][:stop].tolist()


@pytest.mark.parametrize(
    ("word", "edits"), [("abc", 0), ("abcd", 1), ("abcde", 1), ("abcdef", 2), ("manufacturng", 2)]
)
def test_typo_limits_grow_with_the_word(word, edits):
    assert arrays.edits_allowed(word) == edits


def test_remembered_values_forget_the_least_recently_used():
    kept = arrays.Remembered(capacity=2)
    calls = []

    def compute(key):
        calls.append(key)
        return key * 2

    for key in ("a", "b", "a", "c", "a", "b"):
        assert kept.get(key, lambda key=key: compute(key)) == key * 2
    # "b" was the least recently used when "c" came, so it was computed again.
    assert calls == ["a", "b", "c", "b"]
    assert len(kept) == 2


def test_match_sets_come_back_as_they_were_kept():
    mask = np.random.default_rng(3).random(1001) < 0.5
    sets = arrays.MatchSets(size=1001, capacity=4)
    assert sets.get("term", lambda: mask).tolist() == mask.tolist()
    assert sets.get("term", lambda: np.zeros(1001, dtype=bool)).tolist() == mask.tolist()


def every_count(column: arrays.FacetColumn) -> list[dict[str, int]]:
    """The counts of every single row, which tell its values exactly."""
    return [column.counts(np.arange(len(column.codes)) == row) for row in range(len(column.codes))]


@pytest.mark.parametrize("multi", [False, True])
def test_columns_put_one_after_another_count_as_one_column_of_all_rows(multi):
    keys = SECTORS if multi else KINDS
    parts = [keys[:2], keys[2:3], keys[3:]]
    separator = "\x1f" if multi else None
    whole = arrays.FacetColumn.from_keys(keys, separator)
    joined = arrays.FacetColumn.concatenated(
        [arrays.FacetColumn.from_keys(part, separator) for part in parts]
    )
    assert every_count(joined) == every_count(whole)
    assert joined.counts(np.ones(len(keys), dtype=bool)) == whole.counts(np.ones(6, dtype=bool))
    gone = joined.without(np.array([0, 5]))
    assert every_count(gone)[0] == every_count(gone)[5] == {}
    assert every_count(gone)[1:5] == every_count(whole)[1:5]


@pytest.mark.parametrize("multi", [False, True])
def test_an_updated_column_reads_as_one_made_from_the_new_keys(multi):
    keys = SECTORS if multi else KINDS
    separator = "\x1f" if multi else None
    new_value = "robotics\x1ftextile" if multi else "robotics"
    changed = list(keys) + [new_value, ""]
    changed[1], changed[4] = new_value, ""
    updated = arrays.FacetColumn.from_keys(keys, separator).updated(
        np.array([1, 4, 6, 7]), [new_value, "", new_value, ""], len(changed), separator
    )
    assert every_count(updated) == every_count(arrays.FacetColumn.from_keys(changed, separator))


def test_places_merged_from_sorted_runs_are_those_of_one_stable_sort():
    rng = np.random.default_rng(3)
    for sizes in ([5], [40, 1], [1, 40], [30, 3, 0, 7], [2, 2, 2]):
        runs, everything = [], []
        for size in sizes:
            keys = rng.integers(0, 12, size).tolist()
            order = np.argsort(keys, kind="stable")
            runs.append(([keys[row] for row in order], order))
            everything.extend(keys)
        expected = arrays.positions(np.argsort(everything, kind="stable"))
        assert arrays.merged_places(runs).tolist() == expected.tolist()


@pytest.mark.parametrize("multi", [False, True])
def test_columns_made_from_columns_again_and_again_read_as_one_made_whole(multi):
    keys = SECTORS if multi else KINDS
    separator = "\x1f" if multi else None
    new_value = "robotics\x1ftextile" if multi else "robotics"
    later = "design\x1fweaving" if multi else "weaving"
    # A large segment, then new small ones as commits add them, one holding a new value.
    parts = [keys * 3, [new_value], keys[:2], [later, ""]]
    whole = [key for part in parts for key in part]
    columns = [arrays.FacetColumn.from_keys(part, separator) for part in parts]
    # As a generation joins its segments, and as a column joined before is joined again.
    joined = arrays.FacetColumn.concatenated(columns)
    chained = columns[0]
    for column in columns[1:]:
        chained = arrays.FacetColumn.concatenated([chained, column])
    assert every_count(chained) == every_count(arrays.FacetColumn.from_keys(whole, separator))
    assert every_count(joined) == every_count(arrays.FacetColumn.from_keys(whole, separator))
    # An update on top of a joined column: a new set, a known one, a new value, no value.
    rows = np.array([0, 5, len(whole), len(whole) + 1])
    changed_keys = [later, keys[1], "nanotech", ""]
    changed = [*whole, "", ""]
    for row, key in zip(rows.tolist(), changed_keys, strict=True):
        changed[row] = key
    updated = joined.updated(rows, changed_keys, len(changed), separator)
    assert every_count(updated) == every_count(arrays.FacetColumn.from_keys(changed, separator))
    assert updated.having(["nanotech"]).tolist() == [key == "nanotech" for key in changed]
    if multi:
        expected = arrays.FacetColumn.from_keys(changed, separator)
        full = updated.matrix[updated.codes]
        placed = [updated.values.index(value) for value in expected.values]
        assert (full[:, placed] == expected.matrix[expected.codes]).all()

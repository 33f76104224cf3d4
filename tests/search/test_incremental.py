"""Another process sees a write at its next search by reading only what changed, on both engines."""

from __future__ import annotations

import numpy as np
import pytest

from cluster.extensions import db
from cluster.models import Organisation
from cluster.search import SearchQuery, backend, maintenance
from cluster.search.postgres.facet_table import FacetTable
from cluster.search.whoosh import segments
from tests.factories import make_org
from tests.helpers import build_app

QUERIES = [
    SearchQuery(),
    SearchQuery(sort="newest"),
    SearchQuery(text="weaving"),
    SearchQuery(text="weaving", sort="name"),
    SearchQuery(text="", filters={"kind": ["manufacturer"]}),
    SearchQuery(text="linen", filters={"sector": ["textile"]}),
    SearchQuery(text="tufted"),
    SearchQuery(text="wevaing"),
]
NAMES = ["Alder", "Birch Looms", "Cedar", "Дуб", "Elm Works", "Fir", "Ёлка", "Hazel", "Ива"]
# Names being typed, for the suggestions.
PREFIXES = ["a", "el", "birch lo", "zel", "дуб"]


def answers(app) -> list:
    """What every query of the mix finds in this app: totals, facets and hits in order, and
    the names suggested for each prefix."""
    with app.app_context():
        found: list = []
        for query in QUERIES:
            result = backend().search(query)
            found.append((result.total, result.facets, [hit.id for hit in result.hits]))
        found.extend([item.slug for item in backend().suggest(prefix)] for prefix in PREFIXES)
        return found


@pytest.fixture
def second_app():
    """Makes another app on the same database and index: another worker process, or host."""
    made = []

    def make(app, folder):
        settings = {"INDEX_DIR": app.config["INDEX_DIR"]}
        settings["SEARCH_BACKEND"] = app.config["SEARCH_BACKEND"]
        settings["DATABASE_URL"] = app.config["DATABASE_URL"]
        made.append(build_app(folder / "second", **settings))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def reads(monkeypatch):
    """How many documents the engines have read whole since the fixture started."""
    counted = {"documents": 0}
    segment_init = segments.SegmentData.__init__
    load = FacetTable.load.__func__

    def counting_segment(self, reader):
        counted["documents"] += reader.doc_count_all()
        segment_init(self, reader)

    def counting_load(cls, conn, generation):
        table = load(cls, conn, generation)
        counted["documents"] += len(table)
        return table

    monkeypatch.setattr(segments.SegmentData, "__init__", counting_segment)
    monkeypatch.setattr(FacetTable, "load", classmethod(counting_load))
    return counted


def directory():
    for number, name in enumerate(NAMES * 3):
        make_org(
            f"{name} {number}",
            kind=("manufacturer", "startup", "company")[number % 3],
            summary=("Linen weaving." if number % 2 else "Cotton printing."),
            sectors=["textile"] if number % 4 else ["fashiontech"],
            commit=False,
        )
    db.session.commit()


def test_another_process_sees_edits_additions_and_deletions_without_reading_everything(
    search_app, tmp_path, reads, second_app
):
    directory()
    other = second_app(search_app, tmp_path)
    answers(other)
    before = reads["documents"]

    org = make_org("Zelkova", summary="Tufted rugs.", kind="manufacturer", sectors=["textile"])
    edited = db.session.get(type(org), org.id - 3)
    edited.summary = "Tufted linen weaving."
    edited.kind = "startup"
    edited.name = "Aaa First Now"
    db.session.delete(db.session.get(type(org), org.id - 5))
    db.session.commit()

    seen = answers(other)
    assert reads["documents"] - before < 5
    assert seen == answers(second_app(search_app, tmp_path / "fresh"))
    tufted = seen[QUERIES.index(SearchQuery(text="tufted"))]
    assert set(tufted[2]) == {org.id, edited.id}
    assert seen[0][2][0] == edited.id  # first by name now
    assert seen[len(QUERIES) + PREFIXES.index("a")][0] == edited.slug
    assert seen[len(QUERIES) + PREFIXES.index("zel")] == [org.slug]


def test_a_chain_of_writes_is_followed_write_by_write(search_app, tmp_path, reads, second_app):
    directory()
    other = second_app(search_app, tmp_path)
    answers(other)
    read_by_other = 0
    for step in range(3):
        make_org(f"Added {step}", summary="Linen weaving.", kind="manufacturer")
        before = reads["documents"]
        seen = answers(other)
        read_by_other += reads["documents"] - before
        assert seen == answers(second_app(search_app, tmp_path / f"fresh{step}"))
    assert read_by_other < 10


def test_after_a_rebuild_every_process_reads_everything_again(
    search_app, tmp_path, reads, second_app
):
    directory()
    other = second_app(search_app, tmp_path)
    answers(other)
    before = reads["documents"]

    maintenance.reindex()

    seen = answers(other)
    assert reads["documents"] - before >= len(NAMES * 3)
    assert seen == answers(second_app(search_app, tmp_path / "fresh"))


def test_a_small_segments_facets_read_from_stored_values_equal_those_from_postings(tmp_path):
    app = build_app(tmp_path, SEARCH_BACKEND="whoosh")
    with app.app_context():
        directory()
        make_org(
            "Oak, Ash & Co",
            kind="manufacturer",
            sectors=["textile", "fashiontech"],
            capabilities=["digital textile printing", "embroidery"],
            looking_for=["investment", "customers"],
            city="Москва",
        )
        deleted = make_org("Gone Soon", summary="Linen weaving.", city="Tula")
        db.session.delete(deleted)
        db.session.commit()

        def compare(searcher) -> int:
            compared = 0
            for leaf, _ in searcher.reader().leaf_readers():
                size = leaf.doc_count_all()
                stored = segments._stored_facet_columns(leaf, size)
                for facet, column in stored.items():
                    multi = facet in segments.MULTI_VALUED
                    posted = segments._facet_column(leaf, facet, size, multi)
                    for row in range(size):
                        picked = np.arange(size) == row
                        assert column.counts(picked) == posted.counts(picked), (facet, row)
                    compared += int(bool(posted.counts(np.ones(size, dtype=bool))))
            return compared

        assert backend().store.read(compare) >= 8
        db.session.remove()
        db.engine.dispose()


def test_large_segments_joined_once_count_and_sort_as_every_segment_joined_anew(
    tmp_path, monkeypatch
):
    from cluster.search.whoosh import generation
    from cluster.search.whoosh import joined as joined_module

    app = build_app(tmp_path, SEARCH_BACKEND="whoosh")
    with app.app_context():
        directory()
        for number in range(3):
            make_org(f"Later {number}", kind="startup", sectors=["textile"], commit=False)
        db.session.commit()
        db.session.delete(db.session.get(Organisation, 2))
        db.session.commit()

        def every_count(data, reader) -> dict:
            rows = np.arange(data.size)
            counts = {
                facet: [column.counts(rows == row) for row in rows]
                for facet, column in data.facets.items()
            }
            # Each row's place in the orders a page is sorted by.
            orders = [("name_sort", False), ("name_sort_ru", False), ("created", True)]
            places = {order: data.positions(reader, *order).tolist() for order in orders}
            return {**counts, **places}

        segments_read: dict = {}
        joined: dict = {}
        monkeypatch.setattr(joined_module, "STABLE_SIZE", 2)

        def first_read(searcher):
            reader = searcher.reader()
            data = generation.GenerationData(reader, segments_read, joined)
            every_count(data, reader)  # works the large segments' orders out
            return data

        first = backend().store.read(first_read)
        assert len(first.leaves) >= 2 and joined
        make_org("Newest", kind="manufacturer", sectors=["fashiontech"], city="Tula")
        # A name an older segment has too: equal names stay in the order they were indexed.
        make_org("Later 1", slug="later-1-again", kind="startup")

        def counted(*kept) -> tuple[dict, object]:
            def read(searcher) -> tuple[dict, object]:
                reader = searcher.reader()
                data = generation.GenerationData(reader, *kept)
                return every_count(data, reader), data._large

            return backend().store.read(read)

        with_joined, large = counted(segments_read, joined)
        # The new generation reuses the orders the first one worked out.
        assert large is first._large and large.orders
        monkeypatch.setattr(joined_module, "STABLE_SIZE", 10**9)
        assert with_joined == counted()[0]
        db.session.remove()
        db.engine.dispose()

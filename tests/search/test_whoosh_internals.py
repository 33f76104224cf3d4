"""What the Whoosh engine does its own way, checked against what Whoosh itself does.

The fast rebuild, the reader patch and the array ranking reach into Whoosh's internals or
redo its work (cluster/search/whoosh/compatibility.py): each must give exactly what Whoosh's
ordinary writer, reader and BM25F scorer give, on real indexes of the demo directory.
"""

from __future__ import annotations

import gc
import logging
import subprocess
import sys
import textwrap
import types
import warnings
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy import orm
from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.fields import TEXT, Schema
from whoosh.query import And, AndMaybe, Or, Term

from bench import synthetic
from cluster.extensions import db
from cluster.models import Organisation
from cluster.search import SearchQuery, backend, documents, language, offers
from cluster.search.whoosh import (
    WhooshBackend,
    compatibility,
    docnum_lists,
    fast_rebuild,
    planning,
    ranking,
)
from cluster.search.whoosh.analysis import StemmedText, WordText
from cluster.search.whoosh.schema import SCHEMA, index_fields
from cluster.services import importer
from tests.helpers import build_app

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo.csv"

# One worker builds the directory once for every test here.
pytestmark = pytest.mark.xdist_group("whoosh-internals")


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    """The demo directory and 300 synthetic organisations, indexed as they were committed."""
    tmp_path = tmp_path_factory.mktemp("internals")
    app = build_app(tmp_path, SEARCH_BACKEND="whoosh")
    with app.app_context():
        assert importer.import_file(DEMO).ok
        synthetic.insert(db.session, synthetic.generate(300, seed=5))
        db.session.commit()
        orgs = db.session.scalars(
            sa.select(Organisation)
            .order_by(Organisation.id)
            .options(orm.selectinload(Organisation.sectors))
        ).all()
        yield app, orgs
        db.engine.dispose()


@contextmanager
def unpatched_reader():
    """Whoosh's own per-document reader for the duration, whatever this process patched."""
    with mock.patch.object(W3PerDocReader, "_cached_reader", compatibility.UNPATCHED_READER):
        yield


def plain_schema() -> Schema:
    """SCHEMA with Whoosh's own TEXT fields in place of the fast ones, same analyzers."""
    fields = {}
    for name, field in SCHEMA.items():
        if isinstance(field, StemmedText | WordText):
            field = TEXT(analyzer=field.analyzer, phrase=False)
        fields[name] = field
    return Schema(**fields)


def written_by_whoosh(path: Path, orgs) -> object:
    """An index of the organisations written by Whoosh alone: its writer, reader and fields."""
    path.mkdir()
    with unpatched_reader():
        ix = whoosh_index.create_in(str(path), plain_schema())
        with ix.writer() as writer:
            for org in orgs:
                writer.add_document(**index_fields(documents.document(org)))
    return ix


def contents(ix, blocks: bool = True) -> dict:
    """Everything a search can read of an index, read by Whoosh's own reader.

    Without `blocks`, each posting's block statistics are left out: they depend on where
    blocks end, which differs in an index of several segments.
    """
    with unpatched_reader(), ix.reader() as reader:
        size = reader.doc_count_all()
        indexed = [name for name, field in SCHEMA.items() if field.indexed]
        terms = {}
        for name in indexed:
            for btext in reader.lexicon(name):
                matcher = reader.postings(name, btext)
                postings = []
                while matcher.is_active():
                    posting = (matcher.id(), matcher.weight(), matcher.value())
                    if blocks:
                        posting += (
                            matcher.block_min_length(),
                            matcher.block_max_length(),
                            matcher.block_max_weight(),
                        )
                    postings.append(posting)
                    matcher.next()
                info = reader.term_info(name, btext)
                statistics = (info.weight(), info.doc_frequency(), info.min_length())
                statistics += (info.max_length(), info.max_weight(), info.min_id(), info.max_id())
                terms[(name, btext)] = (statistics, postings)
        scorable = [name for name, field in SCHEMA.items() if field.scorable]
        return {
            "doc_count": (size, reader.doc_count()),
            "lexicons": {name: list(reader.lexicon(name)) for name in indexed},
            "terms": terms,
            "stored": [reader.stored_fields(docnum) for docnum in range(size)],
            "lengths": {
                name: [reader.doc_field_length(d, name, -1) for d in range(size)]
                for name in SCHEMA.names()
            },
            "field_lengths": {
                name: (
                    reader.field_length(name),
                    reader.min_field_length(name),
                    reader.max_field_length(name),
                )
                for name in scorable
            },
            "columns": {
                name: list(reader.column_reader(name))
                for name in SCHEMA.names()
                if reader.has_column(name)
            },
        }


@pytest.fixture(scope="module")
def whooshs_own(directory, tmp_path_factory) -> dict[bool, dict]:
    """The contents of the directory's index as Whoosh's own writer writes it, with and without
    block statistics: written once for the tests that compare an index with it."""
    app, orgs = directory
    with app.app_context():
        ix = written_by_whoosh(tmp_path_factory.mktemp("whooshs-own") / "index", orgs)
        whole = contents(ix)
        return {True: whole, False: without_blocks(whole)}


def without_blocks(read: dict) -> dict:
    """What contents(ix, blocks=False) reads, taken from what contents(ix) read."""
    terms = {
        key: (statistics, [posting[:3] for posting in postings])
        for key, (statistics, postings) in read["terms"].items()
    }
    return {**read, "terms": terms}


def assert_same_index(built, reference) -> None:
    assert built["doc_count"] == reference["doc_count"]
    assert built["lexicons"] == reference["lexicons"]
    for key, expected in reference["terms"].items():
        assert built["terms"][key] == expected, key
    for part in ("stored", "lengths", "field_lengths", "columns"):
        assert built[part] == reference[part], part


def live_index(engine: WhooshBackend):
    return engine.store.open_index()[1]


def test_the_fast_rebuild_writes_the_index_whooshs_own_writer_writes(
    directory, whooshs_own, tmp_path
):
    app, orgs = directory
    reference = whooshs_own[True]
    with app.app_context():
        engine = WhooshBackend(str(tmp_path / "fast"))
        assert engine.fast_rebuild
        assert engine.rebuild(orgs) == len(orgs)
        assert_same_index(contents(live_index(engine)), reference)


@pytest.mark.parametrize("in_children", [True, False], ids=["children", "one-process"])
def test_a_rebuild_in_several_segments_indexes_what_whooshs_own_writer_indexes(
    directory, whooshs_own, tmp_path, monkeypatch, in_children
):
    app, orgs = directory
    reference = whooshs_own[False]
    monkeypatch.setattr(fast_rebuild, "SEGMENT_SIZE", 100)
    if in_children:
        # A test worker that has started the browser tests' chromium keeps Playwright's
        # waitpid thread, which holds no lock a child needs: the children write regardless.
        monkeypatch.setattr(fast_rebuild, "forking_is_safe", lambda: True)
    else:
        monkeypatch.setattr(fast_rebuild, "forking_is_safe", lambda: False)
    with app.app_context():
        engine = WhooshBackend(str(tmp_path / "fast"))
        assert engine.rebuild(orgs) == len(orgs)
        ix = live_index(engine)
        with ix.reader() as reader:
            assert [leaf.doc_count_all() for leaf, _ in reader.leaf_readers()] == [
                min(100, len(orgs) - start) for start in range(0, len(orgs), 100)
            ]
        assert_same_index(contents(ix, blocks=False), reference)
        hits = engine.search(SearchQuery(orgs[-1].name)).hits
        assert hits and hits[0].slug == orgs[-1].slug


def test_another_whoosh_version_rebuilds_with_the_ordinary_writer_into_the_same_index(
    directory, whooshs_own, tmp_path, caplog
):
    app, orgs = directory
    reference = whooshs_own[True]
    with app.app_context():
        with caplog.at_level(logging.WARNING, logger=compatibility.__name__):
            engine = WhooshBackend(str(tmp_path / "ordinary"), whoosh_version="2.7.6")
        assert not engine.fast_rebuild
        assert "Whoosh 2.7.6 is installed" in caplog.text
        assert "ordinary writer" in caplog.text
        with mock.patch.object(
            fast_rebuild, "document_adder", side_effect=AssertionError("the fast rebuild ran")
        ):
            assert engine.rebuild(orgs) == len(orgs)
        assert_same_index(contents(live_index(engine)), reference)


def test_internals_are_used_only_on_the_pinned_version_and_a_schema_they_cover():
    assert compatibility.installed_version() == compatibility.SUPPORTED_VERSION
    assert compatibility.unsupported(compatibility.SUPPORTED_VERSION) == []
    assert compatibility.unsupported("2.7.4") == [
        "Whoosh 2.7.4 is installed, they were written for 2.7.5"
    ]
    # Spelling words of a stemmed field go to a field of their own.
    spelled = Schema(**dict(SCHEMA.items()), note=TEXT(analyzer=StemmingAnalyzer(), spelling=True))
    vectored = Schema(**dict(SCHEMA.items()), note=TEXT(vector=True))
    for schema in (spelled, vectored):
        [reason] = compatibility.unsupported(compatibility.SUPPORTED_VERSION, schema)
        assert "note" in reason
        assert not compatibility.start(schema=schema)


def test_the_reader_is_patched_by_init_app_once_and_never_on_import_or_another_version(
    tmp_path,
):
    script = textwrap.dedent(
        """
        import sys
        from whoosh.codec.whoosh3 import W3PerDocReader
        from cluster import create_app
        from cluster.search.whoosh import WhooshBackend, compatibility
        from tests.helpers import app_settings

        assert not compatibility.reader_patched(), "patched on import"
        WhooshBackend(sys.argv[1] + "/other", whoosh_version="2.8.0")
        assert not compatibility.reader_patched(), "patched on another version"
        create_app(app_settings(__import__("pathlib").Path(sys.argv[1])))
        assert compatibility.reader_patched(), "not patched by init_app"
        compatibility.patch_reader()
        assert W3PerDocReader._cached_reader is compatibility.cached_column_reader
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def segmented(directory, tmp_path_factory):
    """The directory indexed over time: several segments, and deletions in them."""
    app, orgs = directory
    with app.app_context():
        engine = WhooshBackend(str(tmp_path_factory.mktemp("segmented") / "index"))
        engine.index(orgs[:200])
        engine.index(orgs[150:])
        engine.remove([org.id for org in orgs[::7]])
    return app, engine


def test_the_patched_reader_reads_what_whooshs_own_reader_reads(segmented):
    app, engine = segmented
    with app.app_context():
        ix = live_index(engine)
        with ix.reader() as reader:
            assert len(reader.leaf_readers()) > 1

        def lengths() -> list:
            with ix.reader() as reader:
                size = reader.doc_count_all()
                read = [
                    [reader.doc_field_length(docnum, name, -1) for docnum in range(size)]
                    for name in SCHEMA.names()
                ]
                for name, field in SCHEMA.items():
                    if field.scorable:
                        read.append([reader.min_field_length(name), reader.max_field_length(name)])
                return read

        compatibility.patch_reader()
        patched = lengths()
        with unpatched_reader():
            assert lengths() == patched
        # Fields without lengths read as missing (the default), not as zero.
        assert set(patched[SCHEMA.names().index("id")]) == {-1}


def test_postings_decoded_by_block_are_whooshs_own_docnums(segmented):
    app, engine = segmented
    with app.app_context():
        compatibility.patch_reader()
        with live_index(engine).reader() as reader:
            assert len(reader.leaf_readers()) > 1
            frequencies = {
                (fieldname, text.decode()): reader.doc_frequency(fieldname, text)
                for fieldname, text in reader.all_terms()
                if fieldname in ("text", "name", "offers")
            }
            # Every term of several blocks (more than 128 postings), every keyword, and one in
            # ten of the rest, the single postings stored inline in the term index among them.
            chosen = [
                (fieldname, term)
                for number, ((fieldname, term), count) in enumerate(sorted(frequencies.items()))
                if count > 128 or fieldname == "offers" or number % 10 == 0
            ]
            assert max(frequencies.values()) > 128 and min(frequencies.values()) == 1
            assert any(frequencies[key] == 1 for key in chosen)
            for fieldname, term in chosen:
                own = list(reader.postings(fieldname, term).all_ids())
                assert compatibility.term_docnums(reader, fieldname, term).tolist() == own, term
                # With their weights, segment by segment: a text field's frequencies and a
                # keyword field's weights of one.
                for leaf, _ in reader.leaf_readers():
                    if not leaf.doc_frequency(fieldname, term):
                        continue
                    matcher, walked = leaf.postings(fieldname, term), []
                    while matcher.is_active():
                        walked.append((matcher.id(), matcher.weight()))
                        matcher.next()
                    docnums, weights = compatibility.term_postings(leaf, fieldname, term)
                    assert list(zip(docnums.tolist(), weights.tolist(), strict=True)) == walked
                    # Without the reader patch (another Whoosh): Whoosh's own walk, same answer.
                    with unpatched_reader():
                        docnums, weights = compatibility.term_postings(leaf, fieldname, term)
                    assert list(zip(docnums.tolist(), weights.tolist(), strict=True)) == walked
            assert not len(compatibility.term_docnums(reader, "text", "zzzqqq"))
            # Field lengths, a segment at a time, as doc_field_length reads them one by one.
            for leaf, _ in reader.leaf_readers():
                for name in SCHEMA.names():
                    own = [leaf.doc_field_length(d, name, 0) for d in range(leaf.doc_count_all())]
                    read = compatibility.field_lengths(leaf, name)
                    assert read is not None
                    assert [None if np.isnan(x) else x for x in read.tolist()] == own, name


def test_docnums_listed_by_the_fast_rebuild_are_whooshs_own_after_edits_and_deletions(
    directory, tmp_path, monkeypatch
):
    app, orgs = directory
    monkeypatch.setattr(fast_rebuild, "SEGMENT_SIZE", 100)
    with app.app_context():
        engine = WhooshBackend(str(tmp_path / "fast"))
        engine.rebuild(orgs)
        # Edits go to a segment of Whoosh's own writer, and leave deletions in the listed ones.
        engine.index(orgs[40:60])
        engine.remove([org.id for org in orgs[::9]])
        compatibility.patch_reader()
        with live_index(engine).reader() as reader:
            listed = [docnum_lists.of_leaf(leaf) is not None for leaf, _ in reader.leaf_readers()]
            assert listed == [True] * (len(listed) - 1) + [False]
            assert any(leaf.has_deletions() for leaf, _ in reader.leaf_readers())
            terms = [text.decode() for name, text in reader.all_terms() if name == "text"]
            assert len(terms) > 1000
            own_postings = compatibility.term_postings

            def postings_unless_listed(leaf, fieldname, term, weights=True):
                # The lists are read where a segment has them, its postings only elsewhere.
                assert docnum_lists.of_leaf(leaf) is None, term
                return own_postings(leaf, fieldname, term, weights)

            monkeypatch.setattr(compatibility, "term_postings", postings_unless_listed)
            for term in terms:
                own = list(reader.postings("text", term).all_ids())
                assert compatibility.term_docnums(reader, "text", term).tolist() == own, term
            assert not len(compatibility.term_docnums(reader, "text", "zzzqqq"))


def test_a_term_too_long_to_list_is_left_to_the_postings(tmp_path):
    segment = types.SimpleNamespace(
        make_filename=lambda extension: f"MAIN_s{extension}", segment_id=lambda: "MAIN_s"
    )
    long = "ж" * 40  # 80 bytes
    terms = sorted([b"alpha", long.encode(), "шов".encode()])
    docnums = {b"alpha": [0, 3], long.encode(): [1, 2, 5], "шов".encode(): [4]}
    starts = np.cumsum([0, *(len(docnums[t]) for t in terms)])
    flat = np.array([d for t in terms for d in docnums[t]])
    docnum_lists.write(types.SimpleNamespace(folder=str(tmp_path)), segment, terms, starts, flat)
    leaf = types.SimpleNamespace(
        _storage=types.SimpleNamespace(folder=str(tmp_path)),
        _segment=segment,
        has_deletions=lambda: False,
    )
    assert docnum_lists.docnums(leaf, "alpha").tolist() == [0, 3]
    assert docnum_lists.docnums(leaf, "шов").tolist() == [4]
    assert not len(docnum_lists.docnums(leaf, "beta"))
    assert docnum_lists.docnums(leaf, long) is None
    assert docnum_lists.of_leaf(leaf).terms.dtype.itemsize <= docnum_lists.LONGEST


def test_a_segment_gone_under_an_open_searcher_is_a_missing_file_not_an_empty_column(
    directory, tmp_path
):
    # Another process's rebuild or merge can delete a segment's files while this one still
    # has the segment open: the patched reader must fail as Whoosh's does (FileNotFoundError,
    # which IndexStore.read answers with a new searcher), not remember the column as absent.
    app, orgs = directory
    with app.app_context():
        engine = WhooshBackend(str(tmp_path / "index"))
        engine.index(orgs[:20])
        ix = live_index(engine)
        compatibility.patch_reader()
        with ix.searcher() as searcher:
            for path in Path(ix.storage.folder).glob("*.col"):
                path.unlink()
            with pytest.raises(FileNotFoundError):
                searcher.stored_fields(0)


def test_an_index_written_before_the_engine_moved_still_opens_and_rebuilds(
    directory, tmp_path, monkeypatch
):
    # Whoosh pickles the schema into the index, naming each field's class by its module;
    # the fast fields used to live in cluster/search/whoosh_backend.py.
    app, orgs = directory
    legacy = types.ModuleType("cluster.search.whoosh_backend")
    for kind in (StemmedText, WordText):
        setattr(
            legacy, kind.__name__, type(kind.__name__, (kind,), {"__module__": legacy.__name__})
        )
    fields = {
        name: getattr(legacy, type(field).__name__)()
        if isinstance(field, StemmedText | WordText)
        else field
        for name, field in SCHEMA.items()
    }
    monkeypatch.setitem(sys.modules, legacy.__name__, legacy)
    old = tmp_path / "index" / "index-old"
    old.mkdir(parents=True)
    with app.app_context():
        with whoosh_index.create_in(str(old), Schema(**fields)).writer() as writer:
            for org in orgs[:50]:
                writer.add_document(**index_fields(documents.document(org)))
        (old.parent / "CURRENT").write_text(old.name)
        monkeypatch.delitem(sys.modules, legacy.__name__)
        with warnings.catch_warnings():
            # Whoosh leaves the file it failed to read open.
            warnings.simplefilter("ignore", ResourceWarning)
            with pytest.raises(ModuleNotFoundError):
                whoosh_index.open_dir(str(old))
            gc.collect()

        engine = WhooshBackend(str(old.parent))
        assert engine.count() == 50
        assert orgs[0].slug in [hit.slug for hit in engine.search(SearchQuery(orgs[0].name)).hits]
        engine.index(orgs[50:60])
        assert engine.count() == 60
        assert engine.rebuild(orgs) == len(orgs)
        assert engine.count() == len(orgs)


QUERIES = [
    "textile",
    "fashion design",
    "digital textile printing",
    "small-batch sewing",
    "3D body scanning",
    "пошив одежды",
    "текстильное производство",
    "курсы анимации",
    "fashon",
    "manufacturng",
    "digital prin",
    "Kalibr",
    "Калибр",
    "Loomwise",
    "bluewharf sewing",
    "Sittsevy dvor",
    "knitwear zzzqqq",
]


def scored_by_whoosh(engine: WhooshBackend, text: str) -> list[tuple[str, float]]:
    """The published matches in Whoosh's own BM25F order: the query the arrays compute.

    Equal scores are put in name order, as the engine breaks ties (Whoosh: by docnum).
    """

    def search(searcher):
        data = engine.generation(searcher)
        plan = planning.plan(searcher.reader(), data, language.clean_query(text))
        words = [
            Or(
                [
                    alternative
                    for fieldname, term in clause
                    for alternative in (
                        [Term("text", term), Term("name", term, boost=ranking.NAME_BOOST)]
                        if fieldname == "text"
                        # A capability offered meets a word, but scores once, below.
                        else [Term(fieldname, term, boost=0.0)]
                        if fieldname == "offers"
                        else [Term(fieldname, term, boost=ranking.SOUND_BOOST)]
                    )
                ]
            )
            for clause in ranking.distinct_clauses(plan)
        ]
        exact = Or(
            [Term("name_exact", name, boost=ranking.EXACT_NAME_BOOST) for name in plan.exact]
            + [Term("offers", slug, boost=offers.OFFER_BOOST) for slug in plan.capabilities]
        )
        published = data.docnum_set("status", ("published",))
        results = searcher.search(AndMaybe(And(words), exact), filter=published, limit=None)
        if results.is_empty() and len(words) > 1:
            # Nothing has every word: any one may do, as the engine falls back.
            results = searcher.search(AndMaybe(Or(words), exact), filter=published, limit=None)
        # Equal scores in name order, Cyrillic names first for a query in Cyrillic, as the
        # engine breaks ties.
        order = "name_sort_ru" if language.has_cyrillic(text) else "name_sort"
        names = searcher.reader().column_reader(order)
        ranked = sorted(results, key=lambda hit: (-hit.score, names[hit.docnum], hit.docnum))
        return [(searcher.stored_fields(hit.docnum)["slug"], hit.score) for hit in ranked]

    return engine.store.read(search)


@pytest.mark.parametrize("text", QUERIES)
def test_the_array_ranking_is_whooshs_own_bm25f_ranking(directory, text):
    app, _ = directory
    with app.app_context():
        expected = scored_by_whoosh(backend(), text)
        result = backend().search(SearchQuery(text=text, per_page=1000))
    assert expected, "a query that finds nothing proves nothing"
    assert result.total == len(expected)
    assert [hit.slug for hit in result.hits] == [slug for slug, _ in expected]
    for hit, (_, score) in zip(result.hits, expected, strict=True):
        assert hit.score == pytest.approx(score, rel=1e-6), hit.slug

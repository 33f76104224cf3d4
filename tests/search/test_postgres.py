"""What only the PostgreSQL engine does: its tables, its text handling, its transactions."""

from __future__ import annotations

from collections import OrderedDict
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from cluster.extensions import db
from cluster.models import Organisation, Sector
from cluster.search import SearchQuery, backend, maintenance, processes
from cluster.search.postgres import hits, rows
from tests.search.pg import postgres_app

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(tmp_path):
    with postgres_app(tmp_path) as app, app.app_context():
        yield app


def add(name, **fields):
    """Commit a published organisation and index it; return its id."""
    sectors = fields.pop("sectors", [])
    org = Organisation(
        slug=fields.pop("slug", name.lower().replace(" ", "-")),
        name=name,
        kind=fields.pop("kind", "company"),
        status=fields.pop("status", "published"),
        **fields,
    )
    org.sectors = [db.session.scalar(sa.select(Sector).filter_by(slug=s)) for s in sectors]
    db.session.add(org)
    db.session.commit()
    backend().index([org])
    return org.id


def found(text, **kwargs):
    return [hit.name for hit in backend().search(SearchQuery(text=text, **kwargs)).hits]


def test_migration_creates_search_tables_indexes_and_trigram_extension(pg_app):
    with db.engine.connect() as conn:
        indexes = set(
            conn.execute(
                sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'search_documents'")
            ).scalars()
        )
        extension = conn.execute(
            sa.text("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        ).scalar()
        tsv_index = conn.execute(
            sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_search_documents_tsv'")
        ).scalar()
    assert {"ix_search_documents_tsv", "ix_search_documents_names_trgm"} <= indexes
    # Facets are counted from arrays: no index for them is kept up to date by every write.
    assert not indexes & {"ix_search_documents_sectors", "ix_search_documents_looking_for"}
    assert "gin (tsv)" in tsv_index
    assert extension == "pg_trgm"


def test_engine_never_switches_to_generic_prepared_plans(pg_app):
    with db.engine.connect() as conn:
        assert conn.connection.driver_connection.prepare_threshold is None


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Mill of woven textiles", "textile"),
        ("Текстильное производство полного цикла", "текстиль"),
        ("Цифровая печать на ткани", "печать"),
        ("Ателье: одежда на заказ и пошив", "пошив одежды"),
    ],
)
def test_stems_english_and_russian_in_one_index(pg_app, text, query):
    add("Somewhere", summary=text)
    add("Unrelated", summary="Animation studio for games")
    assert found(query) == ["Somewhere"]


def test_query_with_nul_and_control_bytes_is_searched_as_plain_words(pg_app):
    add("Loom Works", summary="Weaving and textiles")
    backend().search(SearchQuery(text="text\x00iles\x07 \x1b"))
    assert found("textiles\x00") == ["Loom Works"]


def test_query_syntax_is_searched_as_plain_words(pg_app):
    add("Loom Works", summary="Weaving and textiles")
    for text in ['"(unclosed', "AND OR NOT", "*", "name:loom", "a" * 10_000, "🧵", "-", "'"]:
        backend().search(SearchQuery(text=text))
    assert found('"woven textiles') == ["Loom Works"]  # any word, when all find nothing
    assert found("(textiles -weaving") == ["Loom Works"]
    assert found("loom:works") == ["Loom Works"]


def test_typo_finds_the_closest_known_word_and_suggests_it(pg_app):
    add("Atelier Nord", summary="Fashion design and tailoring")
    result = backend().search(SearchQuery(text="fashon"))
    assert [hit.name for hit in result.hits] == ["Atelier Nord"]
    assert result.suggestion == "fashion"


def test_last_word_matches_as_a_prefix_while_typing(pg_app):
    add("Atelier Nord", summary="Fashion design")
    assert found("fash") == ["Atelier Nord"]
    assert found("design fas") == ["Atelier Nord"]


def test_snippet_escapes_text_and_marks_matches(pg_app):
    add("Cut & Sew", summary="Small & <b>large</b> batches of textiles")
    [hit] = backend().search(SearchQuery(text="textiles")).hits
    assert "<mark>textiles</mark>" in hit.snippet
    assert "Small &amp;" in hit.snippet and "<b>" not in hit.snippet


def test_each_facet_counts_ignore_their_own_selection_only(pg_app):
    add("A", kind="startup", residency="resident", sectors=["textile"], summary="textiles")
    add("B", kind="manufacturer", residency="resident", sectors=["textile"], summary="textiles")
    add("C", kind="manufacturer", residency="partner", sectors=["design"], summary="textiles")
    result = backend().search(
        SearchQuery(text="textiles", filters={"kind": ["manufacturer"], "residency": ["resident"]})
    )
    assert result.total == 1
    assert result.facets["kind"] == {"manufacturer": 1, "startup": 1}
    assert result.facets["residency"] == {"partner": 1, "resident": 1}
    assert result.facets["sector"] == {"textile": 1}


def test_exact_name_ranks_first(pg_app):
    add("Textile Lab", summary="Prototyping")
    add("Other", summary="Textile lab textile lab textile lab work for textile labs")
    assert found("Textile Lab")[0] == "Textile Lab"


def test_an_exact_name_outside_the_ranking_pool_still_ranks_first(pg_app, monkeypatch):
    # For a first page within RANK_POOL, only the first RANK_POOL matches by id are ranked; an
    # exact name joins them wherever it is, spelled with other case and punctuation.
    monkeypatch.setattr(hits, "RANK_POOL", 2)
    for number in range(4):
        add(f"Studio {number}", summary="Textile lab textile lab for textile labs")
    add("TEXTILE-lab", name_alt="Текстиль-лаб", summary="Prototyping textiles")
    assert found("textile lab", per_page=1) == ["TEXTILE-lab"]
    assert found("Текстиль лаб", per_page=1) == ["TEXTILE-lab"]


def test_each_asked_capability_offered_counts_and_a_hidden_exact_name_is_never_ranked(pg_app):
    # Words alone favour the third; each asked capability offered counts, once.
    add("Stitch Works", summary="Studio", offers=["machine-embroidery", "laser-cutting"])
    add("Beam Shop", summary="Machine embroidery studio", offers=["laser-cutting"])
    add("Wordy", summary="Laser cutting, laser engraving and machine embroidery, embroidery")
    add("Embroidery Laser Cutting", status="draft", offers=["laser-cutting"])
    assert found("machine embroidery and laser cutting") == ["Stitch Works", "Beam Shop", "Wordy"]
    assert found("laser cutting machine embroidery laser cutting") == [
        "Stitch Works", "Beam Shop", "Wordy"
    ]  # fmt: skip


def test_the_migration_gives_indexed_rows_the_phrases_an_index_write_gives(pg_app):
    from flask_migrate import downgrade, upgrade

    add("Blue-Wharf Sewing", name_alt="Синий причал")
    add("Ёлка & Co.", summary="textiles")
    with db.engine.connect() as conn:
        written = dict(conn.execute(sa.text(READ_PHRASES)).all())
        generation = conn.execute(sa.text("SELECT generation FROM search_state")).scalar()
    db.session.remove()
    downgrade(revision="b8e1f4c2a9d7")
    upgrade()
    with db.engine.connect() as conn:
        migrated = dict(conn.execute(sa.text(READ_PHRASES)).all())
        # Nothing a search shows changed: no generation, no change-log entry.
        assert conn.execute(sa.text("SELECT generation FROM search_state")).scalar() == generation
    assert {key: sorted(value) for key, value in migrated.items()} == {
        key: sorted(value) for key, value in written.items()
    }
    assert written["Blue-Wharf Sewing"] == ["blue wharf sewing", "bluewharf sewing", "синий причал"]
    assert written["Ёлка & Co."] == ["елка co"]


READ_PHRASES = "SELECT name, name_phrases FROM search_documents"


def test_sorts_by_name_and_newest(pg_app):
    add("beta", summary="print")
    add("Alpha", summary="print")
    add("Gamma", summary="print")
    assert found("print", sort="name") == ["Alpha", "beta", "Gamma"]
    assert found("print", sort="newest") == ["Gamma", "Alpha", "beta"]


def test_older_version_never_overwrites_a_newer_indexed_one(pg_app):
    org_id = add("Loom Works", summary="textiles")
    org = db.session.get(Organisation, org_id)
    org.summary = "knitting"
    db.session.commit()
    backend().index([org])
    newer = backend().indexed_versions()[org_id]
    with db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE search_documents SET version = version + 5 WHERE organisation_id = :i"),
            {"i": org_id},
        )
    backend().index([org])
    assert backend().indexed_versions()[org_id] == newer + 5


def test_deleting_an_organisation_removes_its_document(pg_app):
    org_id = add("Loom Works", summary="textiles")
    db.session.delete(db.session.get(Organisation, org_id))
    db.session.commit()
    assert backend().count() == 0
    assert found("textiles") == []


def test_rebuild_keeps_old_rows_visible_until_it_commits(pg_app):
    ids = [add(f"Org {n}", summary="textiles") for n in range(3)]
    seen_during = []

    def progress(done):
        with db.engine.connect() as other:
            seen_during.append(
                other.execute(sa.text("SELECT count(*) FROM search_documents")).scalar()
            )

    orgs = db.session.scalars(sa.select(Organisation).where(Organisation.id != ids[0])).all()
    assert backend().rebuild(orgs, progress=progress) == 2
    assert seen_during == [3]
    assert sorted(backend().indexed_versions()) == ids[1:]


def test_a_rebuild_by_forked_processes_writes_the_rows_one_process_writes(pg_app, monkeypatch):
    add("Loom Works", summary="textiles", sectors=["textile"], capabilities=["Пошив"])
    add("Калибр", summary="Лазерная резка", status="draft", tags=["laser"])
    for n in range(5):
        add(f"Studio {n}", summary="animation and motion capture", city="Москва")
    monkeypatch.setattr(rows, "BATCH", 2)  # four batches over two processes
    orgs = list(maintenance.organisation_rows())
    forked = []

    @contextmanager
    def recorded(*args):
        with workers(*args) as submit:
            forked.append(submit is not None)
            yield submit

    def written():
        query = "SELECT * FROM search_documents ORDER BY organisation_id"
        documents = [row._asdict() for row in db.session.execute(sa.text(query))]
        query = "SELECT term, ids FROM search_postings ORDER BY term"
        return documents, [tuple(row) for row in db.session.execute(sa.text(query))]

    workers = processes.forked_workers
    monkeypatch.setattr(processes, "forked_workers", recorded)
    monkeypatch.setattr(processes, "forking_is_safe", lambda: True)
    assert backend().rebuild(orgs) == 7
    by_children = written()
    # The five studios' ids, four bytes each, under the stem of "animation".
    assert len(by_children[0]) == 7 and len(dict(by_children[1])["anim"]) == 5 * 4
    monkeypatch.setattr(processes, "forking_is_safe", lambda: False)
    assert backend().rebuild(orgs) == 7
    assert written() == by_children
    # Mapped objects, as a caller may pass them, are sent as the same plain values.
    monkeypatch.setattr(processes, "forking_is_safe", lambda: True)
    assert backend().rebuild(db.session.scalars(sa.select(Organisation)).all()) == 7
    assert forked == [True, False, True]
    assert written() == by_children
    assert found("пошив") == ["Loom Works"]


def test_a_reindex_vacuums_the_rows_its_rebuild_replaced(pg_app):
    for n in range(3):
        add(f"Org {n}", summary="textiles")

    def vacuumed():
        # A new connection: statistics are read once per transaction.
        with db.engine.connect() as conn:
            query = (
                "SELECT relname, vacuum_count FROM pg_stat_user_tables"
                " WHERE relname IN ('search_documents', 'search_terms', 'search_postings')"
            )
            return dict(conn.execute(sa.text(query)).all())

    before = vacuumed()
    assert maintenance.reindex() == 3
    assert vacuumed() == {table: count + 1 for table, count in before.items()}
    assert len(before) == 3
    assert found("textiles") == ["Org 0", "Org 1", "Org 2"]


def test_suggest_completes_names_of_published_organisations(pg_app):
    add("Fashion Forward", summary="x")
    add("Fast Draft", summary="x", status="draft")
    add("Old Fashioned", summary="x")
    names = [s.name for s in backend().suggest("fas")]
    assert names == ["Fashion Forward", "Old Fashioned"]
    assert backend().suggest("100%_") == []


def test_latin_and_cyrillic_spellings_of_a_name_find_each_other(pg_app):
    add("Калибр", summary="Лазерная резка")
    add("Kovcheg", summary="Ателье")
    assert found("Kalibr") == ["Калибр"]
    assert found("Ковчег") == ["Kovcheg"]


def test_synonyms_of_the_jargon_find_each_other(pg_app):
    add("Body Lab", summary="Fashion tech for virtual fitting")
    assert found("фэшн-тех") == ["Body Lab"]
    assert found("fashiontech") == ["Body Lab"]


def test_similar_prefers_shared_sectors_and_words(pg_app):
    me = add("Loom One", sectors=["textile"], summary="Weaving textiles")
    add("Loom Two", sectors=["textile"], summary="Knitted textiles")
    add("Pixels", sectors=["animation"], summary="Cartoons")
    hits = backend().similar(db.session.get(Organisation, me))
    assert [hit.name for hit in hits] == ["Loom Two"]


def test_statuses_limit_what_is_found(pg_app):
    add("Draft Loom", status="draft", summary="textiles")
    assert found("textiles") == []
    assert found("textiles", statuses=("draft", "published")) == ["Draft Loom"]


def test_facet_values_kept_by_one_process_follow_writes_made_by_another(pg_app):
    from cluster.search.postgres import PostgresBackend

    # A second engine object stands for another server process with its own kept values.
    other = PostgresBackend()
    add("Weave One", kind="startup", summary="textiles")
    assert other.search(SearchQuery(text="textiles")).facets["kind"] == {"startup": 1}
    second = add("Weave Two", kind="manufacturer", summary="textiles")
    result = other.search(SearchQuery(text="textiles"))
    assert result.total == 2
    assert result.facets["kind"] == {"manufacturer": 1, "startup": 1}
    # Deleting the organisation removes its document through the foreign key's cascade,
    # which no engine code sees.
    db.session.delete(db.session.get(Organisation, second))
    db.session.commit()
    assert other.search(SearchQuery()).facets["kind"] == {"startup": 1}
    assert [hit.name for hit in other.search(SearchQuery(sort="newest")).hits] == ["Weave One"]


def test_term_match_sets_combine_as_the_tsquery_says(pg_app):
    add("Both", summary="textiles and printing")
    add("Textiles only", summary="textiles")
    add("Printing only", summary="printing")
    add("Knitting only", summary="knitting")
    assert sorted(found("textiles printing")) == ["Both"]
    # A word nothing has is left out; the others are still all required.
    assert sorted(found("textiles printing zzzqqq")) == ["Both"]
    # Nothing matches every word: any one word may, and the same kept sets answer.
    assert sorted(found("knitting printing")) == ["Both", "Knitting only", "Printing only"]


def test_tsquery_text_parses_into_ands_and_ors_and_leaves_the_rest_to_postgresql():
    from cluster.search.postgres.tsquery import parse_tsquery

    assert parse_tsquery("'textil' & ( 'fashion':* | 'фэшн':* )") == (
        "and",
        [("term", "'textil'"), ("or", [("term", "'fashion':*"), ("term", "'фэшн':*")])],
    )
    assert parse_tsquery("'a' | 'b' & 'c'") == (
        "or",
        [("term", "'a'"), ("and", [("term", "'b'"), ("term", "'c'")])],
    )
    for text in ("!'a'", "'a' <-> 'b'", "'a':A", "( 'a'", "'a' &", ""):
        assert parse_tsquery(text) is None


def every_lexeme() -> list[str]:
    with db.engine.connect() as conn:
        query = "SELECT DISTINCT t.lexeme FROM search_documents AS d, unnest(d.tsv) AS t"
        return sorted(conn.execute(sa.text(query)).scalars())


def postings_and_gin(terms: list[str]):
    """Each term's ids as search_postings tells them at the current generation, and as the
    GIN index does; the first None when the postings cannot tell."""
    from cluster.search.postgres import postings, similar, snapshots

    # The read-only snapshot the engine's reads use.
    with snapshots.snapshot() as snap:
        told = postings.term_ids(snap, terms)
        through = similar.through_gin(snap, terms)
    as_lists = {term: sorted(ids.tolist()) for term, ids in through.items()}
    return (None if told is None else {t: ids.tolist() for t, ids in told.items()}), as_lists


def test_postings_hold_every_lexemes_ids_after_a_rebuild_and_follow_later_writes(pg_app):
    loom = add("Loom One", summary="Weaving textiles", sectors=["textile"])
    two = add("Loom Two", summary="Knitted textiles")
    gone = add("Print Hall", summary="Sublimation printing")
    # No rebuild has written them yet: the reader is told to go to the GIN index.
    assert postings_and_gin(every_lexeme())[0] is None
    assert maintenance.reindex() == 3
    told, through = postings_and_gin(every_lexeme())
    assert told == through and through["textil"] == sorted([loom, two])
    # An edit, a deletion and a new organisation after the rebuild: patched from the log.
    org = db.session.get(Organisation, loom)
    org.summary = "Sublimation printing on silk"
    db.session.delete(db.session.get(Organisation, gone))
    db.session.commit()
    backend().index([org])
    new = add("Dye House", summary="Textiles dyed to order")
    terms = every_lexeme() + ["weav", "no-such-term"]
    told, through = postings_and_gin(terms)
    assert told == through
    assert through["sublim"] == [loom] and new in through["textil"]


def test_postings_give_way_to_the_gin_index_when_too_much_changed(pg_app, monkeypatch):
    from cluster.search.postgres import postings

    first = add("Loom One", summary="Weaving textiles")
    maintenance.reindex()
    second = add("Loom Two", summary="Knitted textiles")
    monkeypatch.setattr(postings, "MAX_PATCHED", 1)
    assert postings_and_gin(["textil"])[0] == {"textil": sorted([first, second])}
    add("Loom Three", summary="Dyed textiles")
    told, through = postings_and_gin(["textil"])
    assert told is None and len(through["textil"]) == 3


def test_the_reads_of_one_generation_read_the_change_log_once(pg_app):
    one = add("Loom One", summary="Weaving textiles")
    maintenance.reindex()
    two = add("Loom Two", summary="Knitted textiles")
    read: list[str] = []

    def note(conn, cursor, statement, *args):
        read.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        # Each read patches the postings with the documents changed since the rebuild.
        assert postings_and_gin(["textil"])[0] == {"textil": sorted([one, two])}
        assert postings_and_gin(["knit", "weav"])[0] == {"knit": [two], "weav": [one]}
        assert sum("search_changes" in statement for statement in read) == 1
        three = add("Loom Three", summary="Dyed textiles")
        assert postings_and_gin(["textil"])[0] == {"textil": sorted([one, two, three])}
        assert sum("search_changes" in statement for statement in read) == 2
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)


def test_a_snapshot_from_before_a_refresh_reads_as_it_did_while_a_later_one_reads_the_postings(
    pg_app,
):
    from cluster.search.postgres import postings, snapshots

    one = add("Loom One", summary="Weaving textiles")
    two = add("Loom Two", summary="Knitted textiles")
    # No rebuild has written the postings: a reader goes to the GIN index.
    with snapshots.snapshot() as before:
        assert postings.term_ids(before, ["textil"]) is None
        assert postings.refresh()
        with snapshots.snapshot() as after:
            assert postings.term_ids(after, ["textil"])["textil"].tolist() == sorted([one, two])
        # Its own snapshot still holds the postings from before the refresh: none.
        assert postings.term_ids(before, ["textil"]) is None


def test_an_import_that_changed_too_much_writes_the_postings_again(pg_app, monkeypatch, tmp_path):
    from cluster.search.postgres import postings
    from cluster.services import batch_import

    first = add("Loom One", summary="Weaving textiles")
    maintenance.reindex()
    monkeypatch.setattr(postings, "MAX_PATCHED", 1)
    path = tmp_path / "more.csv"
    path.write_text(
        "name,kind,summary\nLoom Two,company,Knitted textiles\nLoom Three,company,Dyed textiles\n",
        encoding="utf-8",
    )
    report = batch_import.import_path(path)
    assert report.ok and len(report.created) == 2
    # Two changed, one patchable: the import's own settle wrote them again, for its generation.
    told, through = postings_and_gin(every_lexeme())
    assert told == through and len(through["textil"]) == 3 and first in through["textil"]
    with db.engine.connect() as conn:
        state = conn.execute(sa.text("SELECT postings_of, generation FROM search_state")).one()
    assert state[0] == state[1]
    # Nothing behind: a second settle writes nothing.
    assert postings.refresh() is False


def test_the_next_start_writes_postings_too_far_behind_again(pg_app, monkeypatch):
    from cluster.cli import bring_index_up_to_date
    from cluster.search.postgres import postings

    add("Loom One", summary="Weaving textiles")
    maintenance.reindex()
    monkeypatch.setattr(postings, "MAX_PATCHED", 0)
    add("Loom Two", summary="Knitted textiles")
    assert postings_and_gin(["textil"])[0] is None
    bring_index_up_to_date()
    told, through = postings_and_gin(["textil"])
    assert told == through and len(through["textil"]) == 2


def test_a_refresh_never_replaces_newer_postings_nor_waits_on_a_rebuild(pg_app, monkeypatch):
    from cluster.search.postgres import postings

    add("Loom One", summary="Weaving textiles")
    maintenance.reindex()
    monkeypatch.setattr(postings, "MAX_PATCHED", 0)
    monkeypatch.setattr(postings, "LOCK_WAIT", "100ms")
    add("Loom Two", summary="Knitted textiles")
    # A rebuild's transaction writing postings holds the table: the refresh gives way.
    with db.engine.connect() as other:
        other.execute(sa.text("DELETE FROM search_postings WHERE term = 'no-such-term'"))
        assert postings.refresh() is False
        other.rollback()
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE search_state SET postings_of = NULL"))
        # A row only a refresh's DELETE would remove.
        conn.execute(sa.text("INSERT INTO search_postings VALUES ('~marker', '')"))
    write = postings._write_packed
    _, since, generation = state()
    for meanwhile, left in (
        # Newer postings committed after the refresh read its own (as a rebuild's would be).
        ("UPDATE search_state SET postings_of = generation + 5", generation + 5),
        # The change log cut after the read: postings for that generation could not be patched.
        ("UPDATE search_state SET changes_since = generation + 1", None),
    ):

        def commits_meanwhile(conn, found, statement=meanwhile):
            write(conn, found)
            with db.engine.begin() as other:
                other.execute(sa.text(statement))

        monkeypatch.setattr(postings, "_write_packed", commits_meanwhile)
        assert postings.refresh() is False
        assert state()[0] == left
        with db.engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE search_state SET postings_of = NULL, changes_since = :since"),
                {"since": since},
            )
    with db.engine.connect() as conn:
        # The refresh's own postings were rolled back each time.
        marker = "SELECT count(*) FROM search_postings WHERE term = '~marker'"
        assert conn.execute(sa.text(marker)).scalar() == 1


def test_settle_logs_a_failed_refresh_and_never_raises(pg_app, monkeypatch, caplog):
    from cluster.search.postgres import postings

    def times_out():
        raise sa.exc.OperationalError("SELECT", {}, Exception("statement timeout"))

    monkeypatch.setattr(postings, "refresh", times_out)
    backend().settle()
    assert "Search postings not written" in caplog.text


def state():
    with db.engine.connect() as conn:
        query = "SELECT postings_of, changes_since, generation FROM search_state"
        return tuple(conn.execute(sa.text(query)).one())


def test_postings_give_way_to_the_gin_index_after_a_truncate(pg_app):
    add("Loom One", summary="Weaving textiles")
    maintenance.reindex()
    assert postings_and_gin(["textil"])[0] is not None
    with db.engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE search_documents"))
    assert postings_and_gin(["textil"]) == (None, {"textil": []})


def test_similar_organisations_read_the_postings_not_the_gin_index_after_a_rebuild(
    pg_app, monkeypatch
):
    from cluster.search.postgres import similar

    me = add("Loom One", sectors=["textile"], summary="Weaving jacquard textiles")
    add("Loom Two", sectors=["textile"], summary="Jacquard textiles, knitted")
    add("Pixels", sectors=["animation"], summary="Cartoons")
    maintenance.reindex()

    def refused(conn, terms):
        raise AssertionError(f"read through the GIN index: {terms}")

    monkeypatch.setattr(similar, "through_gin", refused)
    # Nothing kept from another test's database at the same generation number.
    monkeypatch.setattr(similar, "_term_rows", OrderedDict())
    hits = backend().similar(db.session.get(Organisation, me))
    assert [hit.name for hit in hits] == ["Loom Two"]


def test_a_requests_reads_share_one_snapshot_until_it_writes_or_ends(pg_app):
    from cluster.search.postgres import snapshots

    add("Loom One", summary="textiles")
    other = db.session.get(Organisation, add("Loom Two", summary="rugs"))
    with pg_app.test_request_context("/en/search?q=textiles"):
        with snapshots.snapshot() as first:
            pass
        assert found("textiles") == ["Loom One"]
        with snapshots.snapshot() as later:
            assert later is first and not first.conn.closed
        # Written on a connection of its own, as another process would: not seen by this
        # request's snapshot, which the page's ETag and every read of it stand for.
        other.summary = "textiles"
        rows.index([other])
        with db.engine.connect() as conn:
            query = "SELECT summary FROM search_documents WHERE organisation_id = :id"
            assert conn.execute(sa.text(query), {"id": other.id}).scalar() == "textiles"
        assert found("textiles") == ["Loom One"]
        # A write of the request's own ends its snapshot: the next read sees the write.
        backend().index([other])
        assert first.conn.closed
        assert found("textiles") == ["Loom One", "Loom Two"]
        with snapshots.snapshot() as last:
            pass
    assert last.conn.closed
    db.session.rollback()
    # Outside a request, each read has a snapshot of its own.
    with snapshots.snapshot() as one, snapshots.snapshot() as two:
        assert one is not two


def test_a_failed_read_never_hands_its_snapshot_on_and_suggestions_may_scan(pg_app):
    from cluster.search.postgres import snapshots

    add("Loom One", summary="textiles")
    with pg_app.test_request_context("/en/search?q=textiles"):
        with pytest.raises(sa.exc.DBAPIError), snapshots.snapshot() as failed:
            failed.conn.execute(sa.text("SELECT no_such_column FROM search_state"))
        assert failed.conn.closed
        assert found("textiles") == ["Loom One"]
        with snapshots.snapshot() as shared:
            assert shared is not failed and shared.indexes_only
            setting = "SELECT current_setting('enable_seqscan')"
            assert shared.conn.execute(sa.text(setting)).scalar() == "off"
        # A search turned scans off for its snapshot; a suggestion after it turns them on.
        assert [s.name for s in backend().suggest("loo")] == ["Loom One"]
        with snapshots.snapshot() as after:
            assert after is shared and not after.indexes_only
            assert after.conn.execute(sa.text(setting)).scalar() == "on"

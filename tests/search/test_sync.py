"""The index follows every commit of the database, and only commits."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from cluster.extensions import db
from cluster.models import Organisation, Sector
from cluster.search import SearchQuery, backend, maintenance
from tests.factories import make_startup as make_org
from tests.helpers import build_app


def api_names(client, text: str) -> list[str]:
    response = client.get("/api/search", query_string={"q": text})
    assert response.status_code == 200
    return [hit["name"] for hit in response.get_json()["hits"]]


def test_an_edit_is_found_by_its_new_words_in_the_next_request(search_app):
    client = search_app.test_client()
    org = make_org("Loom House", summary="Weaving on jacquard looms.")
    assert api_names(client, "jacquard") == ["Loom House"]

    org.summary = "Tufted rugs and wall hangings."
    db.session.commit()

    assert api_names(client, "tufted") == ["Loom House"]
    assert api_names(client, "jacquard") == []


def test_a_deleted_organisation_is_gone(search_app):
    client = search_app.test_client()
    org = make_org("Short Lived", summary="Felt hats.")
    assert api_names(client, "felt hats") == ["Short Lived"]

    db.session.delete(org)
    db.session.commit()

    assert api_names(client, "felt hats") == []
    assert backend().indexed_versions() == {}


def test_a_rollback_leaves_the_index_untouched(search_app):
    kept = make_org("Kept", summary="Linen weaving.")
    versions = backend().indexed_versions()

    make_org("Never Saved", summary="Linen dyeing.", commit=False)
    kept.summary = "Changed and rolled back."
    db.session.flush()
    db.session.rollback()

    assert backend().indexed_versions() == versions
    assert [hit.name for hit in backend().search(SearchQuery(text="linen")).hits] == ["Kept"]
    # The next commit carries nothing over from the rolled-back transaction.
    make_org("Later", summary="Silk.")
    assert backend().count() == 2


def test_publishing_and_archiving_show_and_hide_an_organisation(search_app):
    org = make_org("Quiet Start", status="draft", summary="Hand-dyed yarn.")
    assert backend().search(SearchQuery(text="yarn")).total == 0

    org.status = "published"
    db.session.commit()
    assert backend().search(SearchQuery(text="yarn")).total == 1

    org.status = "archived"
    db.session.commit()
    assert backend().search(SearchQuery(text="yarn")).total == 0


def test_changing_sectors_updates_the_facets(search_app):
    org = make_org("Sector Hopper", sectors=["textile"])
    org.sectors = list(db.session.scalars(db.select(Sector).where(Sector.slug == "design")))
    db.session.commit()

    facets = backend().search(SearchQuery()).facets
    assert facets["sector"] == {"design": 1}


def test_renaming_a_sector_reindexes_its_organisations(search_app):
    make_org("Renamed Sector Member", sectors=["games"])
    sector = db.session.scalar(db.select(Sector).where(Sector.slug == "games"))
    sector.name = "Interactive entertainment"
    db.session.commit()

    hits = backend().search(SearchQuery(text="interactive entertainment")).hits
    assert [hit.name for hit in hits] == ["Renamed Sector Member"]


def test_an_import_is_indexed_in_one_batch_and_agrees_with_the_database(search_app):
    from cluster.services import importer

    rows = [
        {"name": f"Imported {n}", "kind": "startup", "status": "published", "summary": "Batch."}
        for n in range(30)
    ]
    report = importer.import_rows(rows)
    assert not report.errors
    assert backend().search(SearchQuery(text="batch")).total == 30
    assert maintenance.check().agree


@pytest.fixture
def whoosh_app(tmp_path):
    """A Whoosh app alone: these tests break or inspect the index directory on purpose."""
    app = build_app(tmp_path, SEARCH_BACKEND="whoosh")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_a_failing_index_write_keeps_the_database_change_and_logs_it(whoosh_app, caplog):
    make_org("Before", summary="Indexed normally.")
    index_dir = Path(whoosh_app.config["INDEX_DIR"])
    moved = index_dir.with_name("index-away")
    # A file where the index directory should be: every index write now fails for real.
    shutil.move(index_dir, moved)
    index_dir.write_text("not an index")

    with caplog.at_level(logging.ERROR):
        org = make_org("During", summary="Saved while the index was broken.")

    assert db.session.get(Organisation, org.id).name == "During"
    assert any("could not be updated" in record.getMessage() for record in caplog.records)

    index_dir.unlink()
    shutil.move(moved, index_dir)
    differences = maintenance.check()
    assert differences.missing == [org.id]

    runner = whoosh_app.test_cli_runner()
    result = runner.invoke(args=["search-check"])
    assert result.exit_code == 1
    assert f"missing from the index: organisation {org.id}" in result.output

    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 2 organisations" in result.output

    result = runner.invoke(args=["search-check"])
    assert result.exit_code == 0
    assert "Index and database agree" in result.output


def test_search_check_reports_a_change_made_behind_the_orms_back(whoosh_app):
    org = make_org("Versioned", summary="First words.")
    version = org.version
    assert maintenance.check().agree
    # Plain SQL bypasses the session's flush, so the index never hears of it.
    db.session.execute(
        sa.update(Organisation).where(Organisation.id == org.id).values(version=version + 1)
    )
    db.session.commit()

    differences = maintenance.check()
    assert differences.stale == {org.id: (version + 1, version)}
    result = whoosh_app.test_cli_runner().invoke(args=["search-check"])
    assert result.exit_code == 1
    assert f"stale in the index: organisation {org.id}" in result.output


def test_reloading_an_unchanged_taxonomy_leaves_the_index_alone(whoosh_app):
    from cluster.services import taxonomy

    make_org("Taxonomy Member", sectors=["textile"])
    index = backend()

    def generation():
        return index.store.read(lambda searcher: searcher.reader().generation())

    before = generation()
    # init-db reloads the sectors on every run; rewriting the same names changes nothing.
    taxonomy.load_sectors()
    db.session.commit()
    assert generation() == before

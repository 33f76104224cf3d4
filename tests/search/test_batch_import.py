"""The command line's import: a file of any size read as a stream, written in batches, all or
nothing, found by search once committed (both engines)."""

from __future__ import annotations

import csv

import pytest
import sqlalchemy as sa

from bench import synthetic
from cluster.extensions import db
from cluster.models import Organisation, Revision
from cluster.search import SearchQuery, backend
from cluster.services import batch_import, importer
from tests.factories import count_orgs


def write_csv(path, records: list[dict], encoding: str = "utf-8") -> None:
    with path.open("w", encoding=encoding, newline="") as file:
        writer = csv.DictWriter(file, fieldnames=synthetic.COLUMNS, lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow(synthetic.to_csv_row(record))


def records(n: int, seed: int = 4) -> list[dict]:
    return list(synthetic.generate(n, seed=seed))


@pytest.fixture
def context(app):
    """The app (SQLite and Whoosh) with its context pushed."""
    with app.app_context():
        yield app


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 7 rows, so a few dozen rows take several flushes and index writes."""
    monkeypatch.setattr(batch_import, "BATCH", 7)
    monkeypatch.setattr(batch_import, "INDEX_BATCH", 9)


def test_the_command_line_imports_a_file_past_the_limit_of_reading_whole_files(
    search_app, tmp_path, small_batches, monkeypatch
):
    path = tmp_path / "big.csv"
    wanted = records(40)
    write_csv(path, wanted)
    monkeypatch.setattr(importer, "MAX_FILE_BYTES", path.stat().st_size // 3)

    with pytest.raises(importer.FileRefused, match="larger than"):
        importer.read_file(path)
    result = search_app.test_cli_runner().invoke(args=["import", str(path)])

    assert result.exit_code == 0, result.output
    assert "40 rows: 40 created" in result.output
    assert count_orgs() == 40
    published = [record for record in wanted if record.get("status", "published") == "published"]
    found = backend().search(SearchQuery(per_page=50))
    assert found.total == len(published)
    name = wanted[17]["name"]
    assert name in [hit.name for hit in backend().search(SearchQuery(text=name)).hits]


def test_one_bad_row_late_in_the_file_writes_nothing_and_is_reported_as_before(
    context, tmp_path, small_batches
):
    path = tmp_path / "bad.csv"
    wanted = records(30)
    wanted[25]["kind"] = "spaceship"
    wanted[27]["founded_year"] = "long ago"
    write_csv(path, wanted)

    report = batch_import.import_path(path)

    assert not report.written and not report.ok
    assert count_orgs() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 0
    assert report.errors == importer.import_file(path).errors
    assert report.errors[0].startswith("row 27, column kind: ")
    assert report.errors[1].startswith("row 29, column founded_year: ")


def test_a_second_import_updates_what_changed_and_records_each_revision(
    search_app, tmp_path, small_batches
):
    path = tmp_path / "orgs.csv"
    wanted = records(30)
    write_csv(path, wanted[:20])
    assert batch_import.import_path(path).written
    # Batches holding updates and new organisations both: on PostgreSQL an update's flush
    # follows the previous batch's inserts.
    wanted[3]["summary"] = "Now weaving tapestries."
    write_csv(path, wanted, encoding="cp1251")

    report = batch_import.import_path(path)

    assert (len(report.created), len(report.updated), len(report.unchanged)) == (10, 1, 19)
    changed = db.session.scalar(sa.select(Organisation).filter_by(slug=report.updated[0]))
    assert changed.summary == "Now weaving tapestries." and changed.version == 2
    actions = db.session.execute(
        sa.select(Revision.action, sa.func.count()).group_by(Revision.action)
    ).all()
    assert dict(actions) == {"create": 30, "import": 1}
    assert count_orgs() == 30


def test_a_dry_run_reports_and_writes_nothing(context, tmp_path, small_batches):
    path = tmp_path / "orgs.csv"
    write_csv(path, records(15))

    report = batch_import.import_path(path, dry_run=True)

    assert len(report.created) == 15 and not report.written
    assert count_orgs() == 0


def test_progress_reaches_the_size_of_the_file(context, tmp_path, small_batches):
    path = tmp_path / "orgs.csv"
    write_csv(path, records(25))
    steps: list[int] = []

    def start(total: int):
        steps.append(-total)
        return steps.append

    batch_import.import_path(path, start_progress=start)

    assert -steps[0] == path.stat().st_size == sum(steps[1:])


def test_an_import_of_most_of_the_directory_rebuilds_the_index(search_app, tmp_path, monkeypatch):
    monkeypatch.setattr(batch_import, "REBUILD_FROM", 10)
    path = tmp_path / "orgs.csv"
    wanted = records(12)
    write_csv(path, wanted)

    assert batch_import.import_path(path).written

    assert backend().count() == 12
    assert wanted[5]["name"] in [
        hit.name for hit in backend().search(SearchQuery(per_page=20)).hits
    ]


def test_a_large_import_on_postgresql_gives_the_planner_the_tables_new_size(tmp_path, monkeypatch):
    # With an empty table's statistics PostgreSQL read every organisation by status to find a
    # few by id; autovacuum, which would analyse them later, may not run at all.
    from tests.search.pg import postgres_app

    monkeypatch.setattr(batch_import, "ANALYZE_FROM", 10)
    path = tmp_path / "orgs.csv"
    write_csv(path, records(12))
    with postgres_app(tmp_path) as app, app.app_context():
        assert batch_import.import_path(path).written
        estimated = db.session.execute(
            sa.text("SELECT reltuples FROM pg_class WHERE relname = 'organisations'")
        ).scalar()
        assert estimated == 12


def test_an_insert_the_database_refuses_in_a_later_batch_writes_nothing(tmp_path, small_batches):
    # On PostgreSQL a batch's inserts are executed while the next batch is checked: a refusal
    # there still rolls back every batch, and the connection serves the next import.
    from tests.search.pg import postgres_app

    path = tmp_path / "orgs.csv"
    wanted = records(30)
    write_csv(path, wanted)
    refused = wanted[17]["slug"]
    with postgres_app(tmp_path) as app, app.app_context():
        db.session.execute(
            sa.text(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
                " $$ BEGIN RAISE EXCEPTION 'refused: %', NEW.organisation_slug; END $$;"
                " CREATE TRIGGER refuse BEFORE INSERT ON revisions FOR EACH ROW"
                f" WHEN (NEW.organisation_slug = '{refused}') EXECUTE FUNCTION refuse()"
            )
        )
        db.session.commit()
        with pytest.raises(sa.exc.DBAPIError, match=f"refused: {refused}"):
            batch_import.import_path(path)
        assert count_orgs() == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 0
        db.session.execute(sa.text("DROP TRIGGER refuse ON revisions"))
        db.session.commit()
        assert batch_import.import_path(path).written
        assert count_orgs() == 30


# Columns that differ between two organisations imported from the same record at two moments.
OWN_COLUMNS = {"id", "slug", "created_at", "updated_at", "published_at"}


def stored(slug: str) -> tuple[dict, list[str], dict]:
    """An organisation's row (without its own columns), sector slugs and creation revision."""
    org = db.session.scalar(sa.select(Organisation).filter_by(slug=slug))
    table = db.metadata.tables["organisations"]
    row = {c.key: getattr(org, c.key) for c in table.columns if c.key not in OWN_COLUMNS}
    revision = db.session.scalar(sa.select(Revision).filter_by(organisation_id=org.id))
    snapshot = {k: v for k, v in revision.snapshot.items() if k not in OWN_COLUMNS}
    changes = {k: v for k, v in revision.changes.items() if k not in OWN_COLUMNS}
    assert (revision.action, revision.version, revision.organisation_slug) == ("create", 1, slug)
    return row, [sector.slug for sector in org.sectors], {"snapshot": snapshot, "changes": changes}


def test_a_bulk_inserted_organisation_is_stored_as_one_saved_through_the_orm(
    search_app, tmp_path, small_batches
):
    wanted = records(30)
    # Both paths derive the duplicate keys from the name, so each copy keeps its record's name.
    through_orm = [{**record, "slug": f"orm-{n}"} for n, record in enumerate(wanted)]
    assert importer.import_rows(synthetic.to_csv_row(r) for r in through_orm).written
    path = tmp_path / "orgs.csv"
    write_csv(path, [{**record, "slug": f"bulk-{n}"} for n, record in enumerate(wanted)])

    report = batch_import.import_path(path)

    assert report.written and len(report.created) == 30
    for n in range(30):
        assert stored(f"bulk-{n}") == stored(f"orm-{n}")
    org = db.session.scalar(sa.select(Organisation).filter_by(slug="bulk-3"))
    assert org.published_at is not None or org.status != "published"
    assert {hit.slug for hit in backend().search(SearchQuery(per_page=100)).hits} >= {
        f"bulk-{n}" for n, r in enumerate(wanted) if r.get("status", "published") == "published"
    }


def test_a_bad_row_in_the_last_batch_rolls_back_the_batches_written_before_it(
    search_app, tmp_path, small_batches
):
    path = tmp_path / "late.csv"
    wanted = records(40)
    wanted[-1]["email"] = "not an address"
    write_csv(path, wanted)

    report = batch_import.import_path(path)

    assert not report.written and report.error_count == 1
    assert report.errors[0].startswith("row 41, column email: ")
    assert count_orgs() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 0
    assert db.session.scalar(sa.text("SELECT count(*) FROM organisation_sectors")) == 0
    assert backend().count() == 0


def test_a_file_is_written_in_batches_of_bounded_size_and_the_session_stays_small(
    context, tmp_path, small_batches, monkeypatch
):
    sizes, held = [], []
    write = batch_import.write_in_bulk

    def counted(planned, *args):
        sizes.append(len(planned))
        held.append(sum(isinstance(obj, Organisation) for obj in db.session))
        return write(planned, *args)

    monkeypatch.setattr(batch_import, "write_in_bulk", counted)
    path = tmp_path / "orgs.csv"
    wanted = records(60)
    write_csv(path, wanted)
    assert batch_import.import_path(path).written
    wanted[2]["summary"] = "Now weaving tapestries."
    write_csv(path, wanted)

    report = batch_import.import_path(path)

    assert report.written and report.updated == [wanted[2]["slug"]]
    assert sizes == [7] * 8 + [4] + [7] * 8 + [4]
    # Only the batch being written is ever loaded: the rows before it are out of the session.
    assert max(held) <= 7

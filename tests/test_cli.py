"""The set-up command: init-db builds, keeps and heals what the quick start relies on."""

import shutil

import sqlalchemy as sa

from cluster.extensions import db
from cluster.models import Organisation
from cluster.search import SearchQuery, backend
from tests.helpers import build_app


def organisation_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))


def test_init_db_with_demo_loads_once_and_keeps_data_on_a_second_run(app, runner):
    first = runner.invoke(args=["init-db", "--with-demo"])
    assert first.exit_code == 0, first.output
    loaded = organisation_count(app)
    assert loaded >= 60

    with app.app_context():
        org = db.session.scalar(sa.select(Organisation).order_by(Organisation.id))
        org.summary = "Edited by staff after the demo was loaded."
        db.session.commit()

    second = runner.invoke(args=["init-db", "--with-demo"])
    assert second.exit_code == 0, second.output
    assert "demo data not loaded" in second.output
    assert organisation_count(app) == loaded
    with app.app_context():
        org = db.session.scalar(sa.select(Organisation).order_by(Organisation.id))
        assert org.summary == "Edited by staff after the demo was loaded."


def test_init_db_rebuilds_a_lost_index_from_the_database(app, runner, tmp_path):
    assert runner.invoke(args=["init-db", "--with-demo"]).exit_code == 0
    shutil.rmtree(app.config["INDEX_DIR"])

    # The app that the next start of the quick-start command builds on the same instance.
    restarted = build_app(tmp_path)
    cli = restarted.test_cli_runner()
    result = cli.invoke(args=["init-db", "--with-demo"])
    assert result.exit_code == 0, result.output
    assert "Search index brought up to date" in result.output
    assert cli.invoke(args=["search-check"]).exit_code == 0
    with restarted.app_context():
        assert backend().search(SearchQuery(text="Калибр")).total >= 1

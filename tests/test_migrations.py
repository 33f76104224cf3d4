"""Migrations: an empty database upgrades to exactly the models, and back down to nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from cluster import create_app
from cluster.extensions import db
from cluster.models import include_in_autogenerate
from tests.search import pg


def bare_app(tmp_path, database_url: str):
    """An app on an empty database: no tables until the test migrates it."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "INDEX_DIR": str(tmp_path / "index"),
            "UPLOAD_DIR": str(tmp_path / "uploads"),
        }
    )


def pending_model_changes() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_in_autogenerate}
        )
        return compare_metadata(context, db.metadata)


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def check_upgrade_matches_models_and_downgrades(app) -> None:
    runner = app.test_cli_runner()
    with app.app_context():
        assert table_names() == set()

    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert set(db.metadata.tables) <= table_names()
        assert pending_model_changes() == []
        db.engine.dispose()

    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert table_names() <= {"alembic_version"}
        db.engine.dispose()


def test_upgrade_on_an_empty_sqlite_file_creates_the_models_and_downgrades(tmp_path):
    app = bare_app(tmp_path, f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    check_upgrade_matches_models_and_downgrades(app)


@pytest.mark.postgres
def test_upgrade_on_an_empty_postgresql_database_creates_the_models_and_downgrades(tmp_path):
    pg.require_server()
    name = pg.create_database()
    try:
        app = bare_app(tmp_path, f"{pg.SERVER}/{name}")
        check_upgrade_matches_models_and_downgrades(app)
    finally:
        pg.drop_database(name)


def test_model_change_without_a_migration_would_be_detected(tmp_path):
    """The comparison above can fail: a column the migrations lack shows up as a change."""
    app = bare_app(tmp_path, f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.text("ALTER TABLE organisations DROP COLUMN website"))
        changes = pending_model_changes()
        db.engine.dispose()
    assert [(c[0], c[2], c[3].name) for c in changes] == [
        ("add_column", "organisations", "website")
    ]

"""Fixtures: a fresh app on a temporary instance folder (real SQLite file, real Whoosh index)."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade

from cluster import create_app
from cluster.extensions import db
from cluster.services import taxonomy


def build_app(tmp_path, **overrides):
    """Create an app whose database and index live under tmp_path, with the schema migrated."""
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cluster.sqlite3'}",
        "INDEX_DIR": str(tmp_path / "index"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    settings.update(overrides)
    app = create_app(settings)
    with app.app_context():
        upgrade()
        taxonomy.load_sectors()
        db.session.commit()
    return app


@pytest.fixture
def app(tmp_path):
    app = build_app(tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()

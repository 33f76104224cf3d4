"""A fresh PostgreSQL database per test, on the server at 127.0.0.1:5432, dropped afterwards."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import psycopg
import pytest

SERVER = "postgresql://postgres@127.0.0.1:5432"


def server_available() -> bool:
    try:
        with psycopg.connect(f"{SERVER}/postgres", connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def create_database(prefix: str = "cluster_test", template: str | None = None) -> str:
    """Create a uniquely named database (empty, or a copy of `template`); return its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    return name


def require_server() -> None:
    """Skip on a machine without the server; in CI, where it always runs, fail instead."""
    if server_available():
        return
    message = f"PostgreSQL is not running at {SERVER}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(reason=message)


def drop_database(name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def postgres_app(tmp_path, **overrides):
    """Yield a migrated app on a new PostgreSQL database searched by the PostgreSQL engine."""
    from cluster.extensions import db
    from tests.helpers import build_app, postgres_template

    require_server()
    name = create_database(template=postgres_template())
    app = None
    try:
        settings = {"DATABASE_URL": f"{SERVER}/{name}", "SEARCH_BACKEND": "postgres"}
        settings.update(overrides)
        app = build_app(tmp_path, **settings)
        yield app
    finally:
        if app is not None:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        drop_database(name)

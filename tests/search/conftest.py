"""The same search tests run on both engines: an app with Whoosh and one with PostgreSQL."""

from __future__ import annotations

import pytest

from cluster.extensions import db
from tests.helpers import build_app


@pytest.fixture(params=["whoosh", "postgres"])
def search_app(request, tmp_path):
    """A fresh app searched by the engine named by the parameter."""
    if request.param == "postgres":
        from tests.search.pg import postgres_app

        with postgres_app(tmp_path) as app, app.app_context():
            yield app
        return
    app = build_app(tmp_path, SEARCH_BACKEND="whoosh")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()

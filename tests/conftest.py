"""Fixtures: a fresh app on a temporary instance folder (real SQLite file, real Whoosh index)."""

from __future__ import annotations

import re

import pytest
from flask_migrate import upgrade

from cluster import create_app
from cluster.extensions import db
from cluster.services import taxonomy


def build_app(tmp_path, **overrides):
    """Create an app whose database and index live under tmp_path, with the schema migrated."""
    settings = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
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


STAFF_PASSWORD = "correct horse battery"
_CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def make_user(app, email="editor@example.org", role="editor", password=STAFF_PASSWORD):
    """Add a staff user straight to the database and return its id."""
    from cluster.services import accounts

    with app.app_context():
        user = accounts.create_user(email, password, role=role)
        db.session.commit()
        return user.id


class StaffSession:
    """Log a test client in and out of the staff area, and read its CSRF token from pages."""

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def csrf_token(self, path="/staff/login") -> str:
        """The CSRF token of this client's session, read from a page that has a form."""
        response = self.client.get(path)
        if response.status_code == 302:
            response = self.client.get("/staff/")
        match = _CSRF_FIELD.search(response.get_data(as_text=True))
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(
        self, email="editor@example.org", password=STAFF_PASSWORD, role="editor", create=True
    ):
        """Log in (creating the user first unless create=False); return the response."""
        if create:
            make_user(self.app, email, role, password)
        token = self.csrf_token()
        return self.client.post(
            "/staff/login", data={"email": email, "password": password, "csrf_token": token}
        )

    def post(self, path, data=None, **kwargs):
        """POST with this session's CSRF token added."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token("/staff/"))
        return self.client.post(path, data=data, **kwargs)

    def logout(self):
        return self.post("/staff/logout")


@pytest.fixture
def staff(app, client):
    """The test client's staff session helper: staff.login(role="admin"), staff.post(...)."""
    return StaffSession(app, client)

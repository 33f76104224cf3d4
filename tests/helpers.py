"""Helpers the tests share: apps on template databases, staff users and logged-in sessions.

Migrating a database costs far more than copying one, so each kind of database is migrated
once per test session into a template (a SQLite file, a PostgreSQL template database) and every
test gets a copy. `tests/test_migrations.py` still runs every migration on an empty database.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
import threading
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from jinja2 import BytecodeCache
from werkzeug.routing import Rule

from cluster import create_app, i18n
from cluster.extensions import db
from cluster.services import taxonomy

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo.csv"
STAFF_PASSWORD = "correct horse battery"
_CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_templates: dict[str, str] = {}
_templates_lock = threading.Lock()


def app_settings(tmp_path: Path, **overrides) -> dict:
    """The settings of a test app whose files all live under tmp_path."""
    settings = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cluster.sqlite3'}",
        "INDEX_DIR": str(tmp_path / "index"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "RATELIMIT_STORAGE_URI": "memory://",
        # Production hashing costs about 50 ms a password; tests log in hundreds of times.
        "PASSWORD_HASH_PROFILE": "CHEAPEST",
        # Most tests read English words; tests/test_i18n.py checks Russian, and that
        # Russian is the default outside the tests.
        "DEFAULT_LOCALE": "en",
    }
    settings.update(overrides)
    return settings


def migrate(app: Flask) -> None:
    """Bring the app's database to the newest migration with the sector taxonomy loaded."""
    with app.app_context():
        upgrade()
        taxonomy.load_sectors()
        db.session.commit()
        db.engine.dispose()


def sqlite_template() -> Path:
    """A SQLite file migrated once per test session."""
    with _templates_lock:
        if "sqlite" not in _templates:
            folder = Path(tempfile.mkdtemp(prefix="cluster-template-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            migrate(create_app(app_settings(folder)))
            _templates["sqlite"] = str(folder / "cluster.sqlite3")
        return Path(_templates["sqlite"])


def postgres_template() -> str:
    """The name of a PostgreSQL database migrated once per test session, to copy from."""
    from tests.search import pg

    with _templates_lock:
        if "postgres" not in _templates:
            name = pg.create_database(prefix="cluster_template")
            atexit.register(pg.drop_database, name)
            folder = Path(tempfile.mkdtemp(prefix="cluster-template-pg-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            settings = app_settings(folder, DATABASE_URL=f"{pg.SERVER}/{name}")
            migrate(create_app(settings))
            _templates["postgres"] = name
        return _templates["postgres"]


def compiled_catalogues() -> Path:
    """The .mo files of translations/, compiled once per test session (again if a .po changes)."""
    with _templates_lock:
        if "catalogues" not in _templates:
            folder = Path(tempfile.mkdtemp(prefix="cluster-catalogues-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            _templates["catalogues"] = str(folder)
        return i18n.compile_catalogues(Path(_templates["catalogues"]))


class SharedTemplateCode(BytecodeCache):
    """Jinja's compiled templates, kept in memory for every app of the test process.

    Each app has its own Jinja environment and would compile every page template again
    (about 25 ms each); a bucket is keyed by the template's name and source checksum.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket) -> None:
        with self._lock:
            code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        code = bucket.bytecode_to_string()
        with self._lock:
            self._code[bucket.key] = code


_template_code = SharedTemplateCode()

# werkzeug compiles two URL-building functions for every route of every app (Python source
# built as an AST and compiled: about 25 ms of an app's 45). The code depends only on the rule,
# its parsed parts and its defaults as written in URLs, never on the app, so apps of one test
# process share it (tests/test_url_builders.py compares them with freshly compiled ones). Written
# against this werkzeug's private Rule._compile_builder; another version compiles as usual.
SHARED_BUILDERS_WERKZEUG = "3.1.9"
_builders: dict[tuple, object] = {}
compile_builder = Rule._compile_builder


def shared_builder(rule: Rule, append_unknown: bool = True):
    """The rule's URL-building function, compiled by the first app of the process to need it."""
    converters = rule._converters
    defaults = tuple(
        (name, converters[name].to_url(value) if name in converters else repr(value))
        for name, value in sorted((rule.defaults or {}).items())
    )
    key = (rule.rule, tuple(rule._trace), defaults, append_unknown)
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = compile_builder(rule, append_unknown)
    return builder


def share_url_builders() -> bool:
    """Let every app of this process share its URL builders; False on another werkzeug."""
    if version("werkzeug") != SHARED_BUILDERS_WERKZEUG:
        return False
    Rule._compile_builder = shared_builder  # type: ignore[method-assign]
    return True


def build_app(tmp_path: Path, **overrides) -> Flask:
    """An app whose database (a copy of the migrated template) and index live under tmp_path.

    A database already there is kept (a second app on it is a restart of the first); a
    DATABASE_URL override is used as given: the caller has made and migrated it. The
    catalogues compiled once per session are copied in (with their times, so the app finds
    them up to date), and templates compiled by an earlier app are reused.
    """
    settings = app_settings(tmp_path, **overrides)
    database = tmp_path / "cluster.sqlite3"
    if "DATABASE_URL" not in overrides and not database.exists():
        tmp_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sqlite_template(), database)
    catalogues = Path(settings["INSTANCE_PATH"]) / "translations"
    if not catalogues.exists():
        shutil.copytree(compiled_catalogues(), catalogues)
    app = create_app(settings)
    app.jinja_env.bytecode_cache = _template_code
    return app


@contextmanager
def whoosh_app(tmp_path: Path, **overrides):
    """Yield an app searched by the Whoosh engine; its database connections closed afterwards."""
    app = build_app(tmp_path, SEARCH_BACKEND="whoosh", **overrides)
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


@contextmanager
def demo_directory_app(engine: str, tmp_path: Path):
    """Yield an app on this search engine ("whoosh" or "postgres") holding the demo directory,
    imported as `flask load-demo` would."""
    from cluster.services import importer
    from tests.search.pg import postgres_app

    make = postgres_app if engine == "postgres" else whoosh_app
    with make(tmp_path) as app:
        with app.app_context():
            report = importer.import_file(DEMO)
            assert not report.errors
            db.session.remove()
        yield app


def make_user(app, email="editor@example.org", role="editor", password=STAFF_PASSWORD) -> int:
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

    def csrf_token(self, path="/en/staff/login") -> str:
        """The CSRF token of this client's session, read from a page that has a form."""
        response = self.client.get(path)
        if response.status_code == 302:
            response = self.client.get("/en/staff/")
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
            "/en/staff/login", data={"email": email, "password": password, "csrf_token": token}
        )

    def post(self, path, data=None, **kwargs):
        """POST with this session's CSRF token added."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token("/en/staff/"))
        return self.client.post(path, data=data, **kwargs)

    def logout(self):
        return self.post("/en/staff/logout")

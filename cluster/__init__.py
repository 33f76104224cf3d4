"""The cluster directory: a Flask app for a creative-industries technopark."""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url

from . import config

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings, extensions, search, blueprints, commands, error pages."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        # INSTANCE_PATH moves the database, index, uploads and secret key elsewhere.
        instance_path=(test_config or {}).get("INSTANCE_PATH")
        or os.environ.get("INSTANCE_PATH")
        or None,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure(app, test_config)
    register_extensions(app)
    register_search(app)
    register_languages(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_commands(app)
    register_template_helpers(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    """Apply defaults, then instance/config.py, then the environment, then the test mapping."""
    app.config.from_object(config.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(config.from_environment())
    if test_config:
        app.config.update(test_config)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'cluster.sqlite3'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["DATABASE_URL"])
    create_private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # psycopg switches a query run five times to a generic prepared plan, which doubled
        # the time of ranked searches; plan every statement for its own parameters.
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {**options.get("connect_args", {}), "prepare_threshold": None}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    app.config["INDEX_DIR"] = app.config.get("INDEX_DIR") or str(instance / "index")
    app.config["UPLOAD_DIR"] = app.config.get("UPLOAD_DIR") or str(instance / "uploads")
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(instance)


def instance_secret_key(instance: Path) -> str:
    """Read the instance's secret key, creating it once so every worker signs alike."""
    path = instance / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(32))
    # Another worker may have created the file a moment ago and still be writing it.
    for _ in range(50):
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty; delete it or set SECRET_KEY.")


def create_private_sqlite_file(uri: str) -> None:
    """Create a missing SQLite database file readable by its owner only (0600), before SQLite
    creates it as the umask allows: it holds password hashes and people's contact details.
    SQLite gives its journal files the database file's mode; an existing file keeps its own."""
    url = make_url(uri)
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return
    if database.startswith("file:"):
        return  # a URI filename with its own options: SQLite opens it as it says
    with contextlib.suppress(FileExistsError, FileNotFoundError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common postgres:// forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def register_extensions(app: Flask) -> None:
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    from .models import include_in_autogenerate

    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), include_object=include_in_autogenerate
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)

    from . import access

    access.init_app(app)


def register_search(app: Flask) -> None:
    from . import search
    from .services import funding

    search.init_app(app)
    # The startups' and investors' arrays of the investor view and the focus matches.
    funding.init_app(app)


def register_languages(app: Flask) -> None:
    from . import i18n

    i18n.init_app(app)


def register_blueprints(app: Flask) -> None:
    from . import (
        api,
        api_docs,
        api_v1,
        discovery,
        downloads,
        feeds,
        introductions,
        numbers,
        partners,
        public,
        search_views,
        staff,
        startups,
        submissions,
        uploads,
    )
    from .i18n import PREFIX

    # Every page's address starts with its language: /ru/organisations, /en/staff/...
    app.register_blueprint(public.bp, url_prefix=PREFIX)  # home, directory, profiles, sectors
    app.register_blueprint(search_views.bp, url_prefix=PREFIX)  # the search page
    app.register_blueprint(partners.bp, url_prefix=PREFIX)  # "Find a partner"
    app.register_blueprint(submissions.bp, url_prefix=PREFIX)  # "Add your organisation"
    app.register_blueprint(startups.bp, url_prefix=PREFIX)  # the investor view of startups
    app.register_blueprint(introductions.bp, url_prefix=PREFIX)  # "introduce me" requests
    # Staff: login, organisations, lifecycle, history, logos, checks, moderation, import and
    # export, users (cluster/staff/).
    app.register_blueprint(staff.bp, url_prefix=PREFIX + "/staff")
    app.register_blueprint(api_docs.bp, url_prefix=PREFIX)  # the API's reference page
    app.register_blueprint(numbers.bp, url_prefix=PREFIX)  # "The cluster in numbers" charts
    app.register_blueprint(feeds.bp, url_prefix=PREFIX)  # Atom feeds of lists and searches
    app.register_blueprint(downloads.bp, url_prefix=PREFIX)  # lists as .xlsx or CSV for Excel
    app.register_blueprint(api.bp)  # JSON search and autocomplete
    app.register_blueprint(api_v1.bp)  # the read-only JSON API v1 and its OpenAPI document
    app.register_blueprint(uploads.bp)  # uploaded logos
    app.register_blueprint(discovery.bp)  # robots.txt, the sitemap; JSON-LD and social cards


def register_errorhandlers(app: Flask) -> None:
    from . import errors

    errors.init_app(app)


def register_security_headers(app: Flask) -> None:
    from . import security

    security.init_app(app)


def register_commands(app: Flask) -> None:
    from . import cli

    cli.init_app(app)


def register_template_helpers(app: Flask) -> None:
    from . import templating

    templating.init_app(app)

"""The two set-up commands in README.md, and the settings they rely on."""

import os
import runpy
import stat
from pathlib import Path

import sqlalchemy as sa

from cluster import create_app, normalise_database_url
from cluster.config import from_environment
from cluster.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1]
    block = section.split("```", 2)[1]
    return [line for line in block.splitlines()[1:] if line.strip()]


def test_readme_quick_start_has_exactly_two_commands_and_ci_runs_the_second():
    commands = quick_start_commands()
    assert len(commands) == 2
    run, test = commands
    assert "gunicorn wsgi:app" in run and "--with-demo" in run
    assert "pytest" in test
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test in ci_lines


def test_gunicorn_serves_on_port_8000_by_default():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["bind"] == "127.0.0.1:8000"


def test_database_url_from_environment_overrides_the_default(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PER_PAGE", "7")
    assert from_environment()["PER_PAGE"] == 7
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x") == "sqlite:///x"


def test_secret_key_is_generated_once_and_shared_by_every_app(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    # Two apps on one instance folder stand for two gunicorn workers.
    first = create_app()
    second = create_app()
    assert first.instance_path == str(tmp_path / "instance")
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32
    assert (tmp_path / "instance" / "cluster.sqlite3").parent.is_dir()


def test_the_sqlite_database_file_is_created_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    previous = os.umask(0o022)
    try:
        app = create_app({"TESTING": True})
        with app.app_context():
            db.session.execute(sa.text("CREATE TABLE probe (x INTEGER)"))
            db.session.commit()
    finally:
        os.umask(previous)
    database = tmp_path / "instance" / "cluster.sqlite3"
    assert database.stat().st_size > 0
    assert stat.S_IMODE(database.stat().st_mode) == 0o600

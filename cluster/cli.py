"""Command line: flask --app wsgi init-db | load-demo | import | export | reindex | ..."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from .extensions import db
from .models import Organisation
from .services import taxonomy

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo.csv"


@click.command("init-db")
@click.option("--with-demo", is_flag=True, help="Load the demo directory if it is empty.")
def init_db_command(with_demo: bool) -> None:
    """Create or upgrade the tables, load the sector taxonomy, and optionally the demo data."""
    upgrade()
    taxonomy.load_sectors()
    db.session.commit()
    click.echo("Database is up to date.")
    if with_demo:
        load_demo()


@click.command("load-demo")
def load_demo_command() -> None:
    """Load the fictional demo directory, unless organisations are already there."""
    load_demo()


def load_demo() -> None:
    if db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)):
        click.echo("The directory already has organisations; demo data not loaded.")
        return
    from .services import importer

    report = importer.import_file(DEMO_FILE)
    click.echo(f"Demo data: {report.created} organisations created.")


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db_command)
    app.cli.add_command(load_demo_command)

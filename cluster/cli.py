"""Command line: flask --app wsgi init-db | load-demo | import | export | reindex | ..."""

from __future__ import annotations

import contextlib
import functools
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_migrate import upgrade

from .extensions import db
from .models import ROLES, STATUSES, Organisation
from .services import duplicates, taxonomy

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo.csv"
# Files with fewer rows import too fast for a progress bar to help.
PROGRESS_FROM_ROWS = 500
PROGRESS_FROM_BYTES = 8 * 1024


def in_default_language(command):
    """Run a command in DEFAULT_LOCALE: the command line has no address to take a language from."""

    @functools.wraps(command)
    def wrapped(*args, **kwargs):
        with force_locale(current_app.config["DEFAULT_LOCALE"]):
            return command(*args, **kwargs)

    return wrapped


@click.command("init-db")
@click.option("--with-demo", is_flag=True, help="Load the demo directory if it is empty.")
@with_appcontext
@in_default_language
def init_db_command(with_demo: bool) -> None:
    """Create or upgrade the tables, load the sector taxonomy, and optionally the demo data."""
    upgrade()
    taxonomy.load_sectors()
    # Rows from before the duplicate keys, or written around the ORM, get theirs.
    duplicates.fill_missing_keys()
    db.session.commit()
    click.echo(_("Database is up to date."))
    if with_demo:
        load_demo()
    bring_index_up_to_date()


def bring_index_up_to_date() -> None:
    """Index what the index lacks, so a lost or old index heals on the next start."""
    from .search import backend, maintenance

    differences = maintenance.check()
    if not differences.agree:
        maintenance.repair(differences)
        changed = len(differences.missing) + len(differences.stale) + len(differences.extra)
        click.echo(
            ngettext(
                "Search index brought up to date (%(num)d organisation).",
                "Search index brought up to date (%(num)d organisations).",
                changed,
            )
        )
    # What readers patch by the change log (PostgreSQL's postings) after many edits or a
    # browser import is written again here, when it is too much to patch.
    backend().settle()


@click.command("load-demo")
@with_appcontext
@in_default_language
def load_demo_command() -> None:
    """Load the fictional demo directory, unless organisations are already there."""
    load_demo()


def load_demo() -> None:
    if db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)):
        click.echo(_("The directory already has organisations; demo data not loaded."))
        return
    from .services import importer

    report = importer.import_file(DEMO_FILE)
    for error in report.errors:
        click.echo(error, err=True)
    click.echo(
        ngettext(
            "Demo data: %(num)d organisation created.",
            "Demo data: %(num)d organisations created.",
            len(report.created),
        )
    )


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@with_appcontext
@in_default_language
def import_command(file: str, dry_run: bool) -> None:
    """Import organisations from a CSV, Excel or JSON file: every row, or none if any is invalid.

    A CSV file of any size is read as a stream and written in batches (batch_import.py).
    """
    from .services import batch_import

    with contextlib.ExitStack() as stack:

        def start_progress(total: int):
            # A CSV file counts its bytes, another its rows.
            small = PROGRESS_FROM_BYTES if file.lower().endswith(".csv") else PROGRESS_FROM_ROWS
            if total < small:
                return lambda step: None
            bar = click.progressbar(length=total, label=_("Checking rows"))
            return stack.enter_context(bar).update

        report = batch_import.import_path(file, dry_run=dry_run, start_progress=start_progress)
    click.echo(import_summary(report))
    for error in report.errors:
        click.echo(error)
    if report.more_errors:
        click.echo(
            ngettext("… and %(num)d more error.", "… and %(num)d more errors.", report.more_errors)
        )
    if not report.ok:
        click.echo(
            ngettext(
                "%(num)d error: nothing was written.",
                "%(num)d errors: nothing was written.",
                max(report.error_count, len(report.errors)),
            )
        )
        raise click.exceptions.Exit(1)
    click.echo(_("Dry run: nothing was written.") if dry_run else _("Import committed."))


def import_summary(report) -> str:
    """One line: how many rows the file has and what they did, or would do on a dry run."""
    counts = {
        "created": len(report.created),
        "updated": len(report.updated),
        "unchanged": len(report.unchanged),
    }
    if report.dry_run:
        return ngettext(
            "%(num)d row: %(created)d would be created, %(updated)d would be updated, "
            "%(unchanged)d unchanged.",
            "%(num)d rows: %(created)d would be created, %(updated)d would be updated, "
            "%(unchanged)d unchanged.",
            report.rows,
            **counts,
        )
    return ngettext(
        "%(num)d row: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
        "%(num)d rows: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
        report.rows,
        **counts,
    )


@click.command("export")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "excel", "xlsx", "json"]),
    default="csv",
    show_default=True,
    help="CSV, CSV for Excel (a BOM and ';'), an Excel workbook or JSON.",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUSES),
    help="Only organisations with this status; repeat for several. Default: all.",
)
@click.option(
    "-o",
    "--output",
    type=click.File("wb"),
    default="-",
    help="File to write; standard output by default.",
)
@with_appcontext
@in_default_language
def export_command(file_format: str, statuses: tuple[str, ...], output) -> None:
    """Export organisations as CSV, an Excel workbook or JSON, in the format import reads."""
    from .services import exporter

    orgs = exporter.select_organisations(statuses)
    if file_format in exporter.FORMATS:
        output.write(exporter.export(orgs, file_format).encode("utf-8"))
    else:
        output.write(exporter.download(orgs, file_format))


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="editor", show_default=True)
@click.option("--name", default="", help="Shown in the history and the audit log.")
@click.option("--password-stdin", is_flag=True, help="Read the password as one line of stdin.")
@with_appcontext
@in_default_language
def create_user_command(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Add a staff user; the password is asked twice, hidden, unless given on stdin."""
    from .services import accounts, audit

    try:
        email = accounts.normalise_email(email)
    except accounts.AccountError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(email, password, role=role, name=name)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.flush()
    label = accounts.role_label(role)
    audit.log("user-create", user, _("role %(role)s, from the command line", role=label))
    db.session.commit()
    click.echo(_("Created %(email)s, with the role %(role)s.", email=user.email, role=label))


@click.command("reindex")
@with_appcontext
@in_default_language
def reindex_command() -> None:
    """Rebuild the search index from the database; search stays online meanwhile."""
    from .search import maintenance

    with click.progressbar(length=maintenance.organisation_count(), label=_("Indexing")) as bar:
        count = maintenance.reindex(progress=lambda done: bar.update(done - bar.pos))
    click.echo(ngettext("Indexed %(num)d organisation.", "Indexed %(num)d organisations.", count))


@click.command("search-check")
@with_appcontext
@in_default_language
def search_check_command() -> None:
    """Report every difference between the search index and the database; exit 1 if any."""
    from .search import maintenance

    differences = maintenance.check()
    if differences.agree:
        click.echo(_("Index and database agree."))
        return
    for org_id in differences.missing:
        click.echo(_("missing from the index: organisation %(id)s", id=org_id))
    for org_id in differences.extra:
        click.echo(_("in the index but not in the database: organisation %(id)s", id=org_id))
    for org_id, (db_version, index_version) in differences.stale.items():
        click.echo(
            _(
                "stale in the index: organisation %(id)s "
                "(database version %(database)s, index version %(index)s)",
                id=org_id,
                database=db_version,
                index=index_version,
            )
        )
    click.echo(_("Run `flask --app wsgi reindex` to rebuild the index."), err=True)
    raise SystemExit(1)


def init_app(app: Flask) -> None:
    from .translations import translations_command

    app.cli.add_command(translations_command)
    app.cli.add_command(init_db_command)
    app.cli.add_command(load_demo_command)
    app.cli.add_command(import_command)
    app.cli.add_command(export_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(reindex_command)
    app.cli.add_command(search_check_command)

"""An import's checked rows written to organisations: created, updated or left as they are.

`write_planned` goes through the ORM, one object per row (the browser's import). The command
line's batches go through `write_in_bulk`: a new organisation there is a plain record, its
values applied as for an object (records.apply_record) and its row, sector links and "create"
revision written by a bulk insert each, which is most of an import of a whole directory.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..duplicate_keys import keys_of
from ..extensions import db
from ..models import Organisation, Revision, organisation_sectors
from . import organisations, records, revisions
from .write_thread import WriteThread

if TYPE_CHECKING:
    from .importer import ImportReport

# What a new organisation gets when the file has no column for it.
NEW_DEFAULTS = {"residency": "resident", "status": "published"}

Planned = tuple[str, dict[str, Any]]


def write_planned(
    planned: Iterable[Planned],
    loaded: dict[str, Organisation],
    report: ImportReport,
    writing: bool,
) -> list[tuple[Organisation, dict | None]]:
    """Count each planned row as created, updated or unchanged; when writing, create or update
    its organisation. The ones saved, each with its snapshot before an update (None: new)."""
    saved: list[tuple[Organisation, dict | None]] = []
    for slug, values in planned:
        org = loaded.get(slug)
        if org is None:
            report.created.append(slug)
            if writing:
                org = Organisation()
                records.apply_record(org, {**NEW_DEFAULTS, **values})
                db.session.add(org)
                saved.append((org, None))
        elif _updated(org, slug, values, report, writing):
            saved.append((org, revisions.snapshot(org)))
            records.apply_record(org, values)
            organisations.touch(org)
    return saved


def _updated(org: Organisation, slug: str, values: dict, report: ImportReport, writing: bool):
    """Count a row naming an existing organisation; True when it is to be written."""
    if not records.changed_columns(org, values):
        report.unchanged.append(slug)
        return False
    report.updated.append(slug)
    return writing


def write_in_bulk(
    planned: Iterable[Planned],
    loaded: dict[str, Organisation],
    report: ImportReport,
    user_id: int | None,
    note: str,
    inserts: WriteThread,
) -> list[int]:
    """Write a batch of planned rows with their revisions in the open transaction (updates as
    objects, new organisations by bulk inserts sent to `inserts`, whose earlier statements
    have been executed); the ids written."""
    updated: list[tuple[Organisation, dict | None]] = []
    created: list[Any] = []
    for slug, values in planned:
        org = loaded.get(slug)
        if org is None:
            report.created.append(slug)
            created.append(new_record(values))
        elif _updated(org, slug, values, report, True):
            updated.append((org, revisions.snapshot(org)))
            records.apply_record(org, values)
            organisations.touch(org)
    history = []
    if updated:
        # The flush gives each updated organisation its new version.
        db.session.flush()
        for org, before in updated:
            revision = revisions.revision_values(org, user_id, "import", before, note)
            if revision is not None:
                history.append(revision)
    if created:
        _insert(created, inserts)
        for org in created:
            revision = revisions.revision_values(org, user_id, "create", None, note, copied=False)
            if revision is not None:
                history.append(revision)
    if history:
        insert_many(db.metadata.tables[Revision.__tablename__], history, inserts)
    return [org.id for org, _ in updated] + [org.id for org in created]


def new_record(values: dict[str, Any]) -> Any:
    """A new organisation as a plain record: every column as the ORM would insert it."""
    makers = _column_defaults(Organisation.__tablename__)
    org: Any = SimpleNamespace(**{name: make() for name, make in makers.items()})
    org.sectors = []
    records.apply_record(org, {**NEW_DEFAULTS, **values})
    # What the before_insert hook (models.fill_duplicate_keys) gives an object.
    vars(org).update(keys_of(org))
    return org


def _insert(created: list[Any], inserts: WriteThread) -> None:
    """Insert the organisations (their ids set), then their sector links."""
    table = db.metadata.tables[Organisation.__tablename__]
    names = list(_column_defaults(table.name))
    if inserts.threaded:
        # Ids drawn from the table's sequence first: the rows, their links and their revisions
        # are then sent without waiting for the insert to answer.
        ids = db.session.scalars(RESERVE_IDS, {"table": table.name, "n": len(created)})
        for org, new_id in zip(created, ids, strict=True):
            org.id = new_id
        names.insert(0, "id")
    insert_many(table, [{name: getattr(org, name) for name in names} for org in created], inserts)
    if not inserts.threaded:
        # Read back by slug: SQLite answers an insert RETURNING ids in order one row at a time.
        slugs = [org.slug for org in created]
        query = sa.select(table.c.slug, table.c.id).where(table.c.slug.in_(slugs))
        found = dict(db.session.execute(query).all())
        for org in created:
            org.id = found[org.slug]
    links = [{"organisation_id": org.id, "sector_id": s.id} for org in created for s in org.sectors]
    if links:
        insert_many(organisation_sectors, links, inserts)


RESERVE_IDS = sa.text(
    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
)


def insert_many(table: sa.Table, rows: list[dict[str, Any]], inserts: WriteThread) -> None:
    """Insert these rows (each with the same keys), the other columns at their defaults."""
    if not inserts.threaded:
        inserts.conn.execute(sa.insert(table), rows)
        return
    # psycopg sends an executemany as one INSERT per row: one statement reading the rows from
    # a JSON array, typed by the table's own row type, is several times quicker.
    missing = {
        name: make
        for name, make in _column_defaults(table.name).items()
        if name not in rows[0] and table.c[name].default is not None
    }
    if missing:
        rows = [{**row, **{name: make() for name, make in missing.items()}} for row in rows]
    columns = ", ".join(f'"{name}"' for name in rows[0])
    statement = sa.text(
        f'INSERT INTO "{table.name}" ({columns}) SELECT {columns}'
        f' FROM json_populate_recordset(NULL::"{table.name}", CAST(:rows AS json))'
    )
    inserts.send(statement, {"rows": json.dumps(rows, default=str)})


_DEFAULTS: dict[str, dict[str, Callable[[], Any]]] = {}


def _column_defaults(table_name: str) -> dict[str, Callable[[], Any]]:
    """Each column of the table but a primary key one, with what makes its default value."""
    if table_name not in _DEFAULTS:
        _DEFAULTS[table_name] = {
            column.key: _default_maker(column.default)
            for column in db.metadata.tables[table_name].columns
            if not column.primary_key
        }
    return _DEFAULTS[table_name]


def _default_maker(default: Any) -> Callable[[], Any]:
    if default is None:
        return lambda: None
    if default.is_callable:
        # The column's callable, wrapped by SQLAlchemy to take an execution context.
        return lambda: default.arg(None)
    return lambda: default.arg

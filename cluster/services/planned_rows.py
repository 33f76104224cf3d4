"""An import's checked rows written to organisations: created, updated or left as they are."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..extensions import db
from ..models import Organisation
from . import organisations, records, revisions

if TYPE_CHECKING:
    from .importer import ImportReport

# What a new organisation gets when the file has no column for it.
NEW_DEFAULTS = {"residency": "resident", "status": "published"}


def write_planned(
    planned: Iterable[tuple[str, dict[str, Any]]],
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
        elif records.changed_columns(org, values):
            report.updated.append(slug)
            if writing:
                before = revisions.snapshot(org)
                records.apply_record(org, values)
                organisations.touch(org)
                saved.append((org, before))
        else:
            report.unchanged.append(slug)
    return saved

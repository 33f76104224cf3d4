"""Edit conflicts: what differs between a stale form and the version saved since."""

from __future__ import annotations

from .. import fields
from ..models import Organisation
from . import revisions


def as_snapshot(values: dict, org: Organisation | None = None) -> dict:
    """Parsed values in the shape of a snapshot, to compare with a stored one."""
    result = {}
    for name in fields.COLUMNS:
        if name not in values:
            continue
        value = values[name]
        if name == "sectors":
            value = [sector.slug for sector in value]
        elif name == "slug" and not value and org is not None:
            value = org.slug
        result[name] = value
    return result


def conflicting_fields(org: Organisation, typed: dict, expected_version: int | None) -> list[dict]:
    """Each field where the typed values differ from the stored ones, with the side to suggest.

    The suggestion keeps the stored value where the editor left the field as it was when the
    form was opened (so the other person's change survives) and the typed value otherwise.
    """
    stored = revisions.snapshot(org)
    typed = as_snapshot(typed, org)
    base_revision = revisions.at_version(org, expected_version) if expected_version else None
    base = base_revision.snapshot if base_revision else None
    found = []
    for name in fields.COLUMNS:
        if name not in typed or revisions.same(stored.get(name), typed[name]):
            continue
        untouched = base is not None and revisions.same(base.get(name), typed[name])
        found.append(
            {
                "name": name,
                "stored": stored.get(name),
                "typed": typed[name],
                "take": "stored" if untouched else "typed",
            }
        )
    return found

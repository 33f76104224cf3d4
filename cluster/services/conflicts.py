"""Edit conflicts: what differs between a stale form and the version saved since."""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass
class Comparison:
    """A stale edit set against the version saved since, field by field.

    `conflicts` are the fields both sides changed differently (or every differing field when
    the version the editor started from is unknown), each with `base` (the value the editor
    started from, None when unknown), `stored`, `typed` and the side to suggest. `mine` are the
    fields only this editor changed, kept as typed; `theirs` the fields only the other
    person changed, kept as saved.
    """

    conflicts: list[dict] = field(default_factory=list)
    mine: list[str] = field(default_factory=list)
    theirs: list[str] = field(default_factory=list)
    base_known: bool = False


def compare(org: Organisation, typed: dict, expected_version: int | None) -> Comparison:
    """Sort each field of a stale edit: a real conflict, only mine, or only theirs (three-way,
    against the version the editor started from)."""
    stored = revisions.snapshot(org)
    typed = as_snapshot(typed, org)
    base_revision = revisions.at_version(org, expected_version) if expected_version else None
    base = base_revision.snapshot if base_revision else None
    found = Comparison(base_known=base is not None)
    for name in fields.COLUMNS:
        if name not in typed or revisions.same(stored.get(name), typed[name]):
            continue
        if base is not None and revisions.same(base.get(name), typed[name]):
            found.theirs.append(name)
        elif base is not None and revisions.same(base.get(name), stored.get(name)):
            found.mine.append(name)
        else:
            found.conflicts.append(
                {
                    "name": name,
                    "base": base.get(name) if base is not None else None,
                    "stored": stored.get(name),
                    "typed": typed[name],
                    "take": "typed",
                }
            )
    return found

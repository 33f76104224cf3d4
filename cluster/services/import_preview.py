"""What an import would write, shown before it runs: the values each new row gives, and for
each row that updates an organisation the fields it changes, before and after."""

from __future__ import annotations

from typing import Any

from .. import fields
from . import conflicts, importer, records, revisions, slugs, taxonomy
from .planned_rows import NEW_DEFAULTS


def details(
    rows: list[importer.NumberedRow], created: list[str], updated: list[str], limit: int
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, list]]]:
    """For the first `limit` slugs to create, {slug: {field: value}} with the defaults a new
    organisation gets; for the first `limit` to update, {slug: {field: [before, after]}}.
    Values are snapshot values (sectors as slugs), so a stored job holds plain JSON."""
    wanted_new, wanted_changed = created[:limit], updated[:limit]
    wanted = set(wanted_new) | set(wanted_changed)
    sectors = taxonomy.sector_lookup()
    parsed: dict[str, dict[str, Any]] = {}
    for _number, raw in rows:
        if len(parsed) == len(wanted):
            break
        values, errors = records.parse_record(raw, sectors)
        if errors:
            continue
        slug = values.get("slug") or slugs.slugify_name(values["name"])
        if slug in wanted:
            parsed.setdefault(slug, values)
    new_values = {}
    for slug in wanted_new:
        if slug in parsed:
            given = conflicts.as_snapshot({**NEW_DEFAULTS, **parsed[slug]})
            new_values[slug] = {
                name: value for name, value in given.items() if not fields.is_empty(value)
            }
    changes = {}
    loaded = importer.load_by_slug(slug for slug in wanted_changed if slug in parsed)
    for slug, org in loaded.items():
        before = revisions.snapshot(org)
        after = conflicts.as_snapshot(parsed[slug], org)
        changes[slug] = {
            name: [before.get(name), after.get(name)]
            for name in records.changed_columns(org, parsed[slug])
        }
    return new_values, changes

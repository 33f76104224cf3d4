"""Changing organisations: create, update, publish, archive, restore, delete.

Each function writes a revision and an audit entry; the view commits once.
"""

from __future__ import annotations

import copy
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Organisation, Revision, Sector, User, utcnow
from . import audit, directory, records, revisions, slugs

# Every field staff edit, in the order of the import's CSV columns (plus location and capacity).
EDITABLE_FIELDS = (
    "slug", "name", "name_alt", "kind", "residency", "status", "summary", "description",
    "sectors", "tags", "capabilities", "needs", "looking_for", "stage", "funding_sought",
    "currency", "founded_year", "team_size", "city", "address", "building", "floor", "unit",
    "capacity", "website", "email", "phone", "social_links", "equipment", "min_order",
    "programmes",
)  # fmt: skip
# Shown one item per line in the staff form; the CSV separates them with "; ".
LIST_FIELDS = ("tags", "capabilities", "needs", "social_links", "equipment", "programmes")
CHOICE_LIST_FIELDS = ("sectors", "looking_for")


class EditConflict(Exception):
    """The form was built from an older version than the one stored."""

    def __init__(self, org: Organisation, expected_version: int | None):
        super().__init__(f"{org.slug} is at version {org.version}, not {expected_version}")
        self.org = org
        self.expected_version = expected_version


def snapshot(org: Organisation) -> dict:
    """Every editable field as plain JSON values (sectors as their slugs)."""
    values: dict[str, Any] = {}
    for field in EDITABLE_FIELDS:
        if field == "sectors":
            values[field] = [sector.slug for sector in org.sectors]
        else:
            value = getattr(org, field)
            values[field] = copy.deepcopy(value) if isinstance(value, list | dict) else value
    return values


def apply_snapshot(org: Organisation, values: dict) -> None:
    """Set the fields a snapshot holds; a slug taken meanwhile by another listing is kept as is."""
    # Look everything up before changing anything, so no autoflush writes half a change.
    slugs_wanted = list(values.get("sectors") or [])
    found = {
        sector.slug: sector
        for sector in db.session.scalars(sa.select(Sector).where(Sector.slug.in_(slugs_wanted)))
    }
    keep_slug = not values.get("slug") or slug_taken(values["slug"], org)
    for field, value in values.items():
        if field not in EDITABLE_FIELDS or (field == "slug" and keep_slug):
            continue
        if field == "sectors":
            org.sectors = [found[slug] for slug in slugs_wanted if slug in found]
        else:
            setattr(org, field, copy.deepcopy(value))


def slug_taken(slug: str, org: Organisation | None = None) -> bool:
    query = sa.select(Organisation.id).where(Organisation.slug == slug)
    if org is not None and org.id is not None:
        query = query.where(Organisation.id != org.id)
    return db.session.scalar(query) is not None


def touch(org: Organisation) -> None:
    # A change to sectors alone touches only the link table; setting updated_at makes the
    # row itself change, so the version goes up as for any other save.
    org.updated_at = utcnow()


def create(values: dict, user: User | None) -> Organisation:
    """Add an organisation from checked values (see records.parse_record)."""
    org = Organisation(residency="resident", status="draft")
    records.apply_record(org, values)
    db.session.add(org)
    revisions.record(org, user, "create", None)
    audit.log("create", org, user=user)
    return org


def update(org: Organisation, values: dict, user: User | None, expected_version: int | None):
    """Save checked values over the organisation, unless it changed since the form was built."""
    if expected_version != org.version:
        raise EditConflict(org, expected_version)
    before = snapshot(org)
    records.apply_record(org, values)
    if snapshot(org) == before:
        return None
    touch(org)
    revision = revisions.record(org, user, "edit", before)
    audit.log("edit", org, detail=", ".join(revision.changes) if revision else "", user=user)
    return revision


def set_status(org: Organisation, status: str, user: User | None, action: str):
    before = snapshot(org)
    org.status = status
    if status == "published" and org.published_at is None:
        org.published_at = utcnow()
    touch(org)
    revision = revisions.record(org, user, action, before)
    audit.log(action, org, detail=f"{before['status']} → {status}", user=user)
    return revision


def publish(org: Organisation, user: User | None):
    """Make the organisation public."""
    return set_status(org, "published", user, "publish")


def archive(org: Organisation, user: User | None):
    """Take the organisation off the public pages, keeping everything."""
    return set_status(org, "archived", user, "archive")


def restore(org: Organisation, user: User | None, status: str = "published"):
    """Bring an archived organisation back, as published or as a draft."""
    if status not in ("published", "draft"):
        raise ValueError(f"cannot restore to {status!r}")
    return set_status(org, status, user, "restore")


def restore_revision(org: Organisation, revision: Revision, user: User | None):
    """Put back the fields of an earlier revision, as a new revision."""
    new = revisions.restore(org, revision, user)
    audit.log("restore-revision", org, detail=f"version {revision.version}", user=user)
    return new


def delete(org: Organisation, user: User | None) -> None:
    """Delete the organisation; its history stays, no longer linked to a row."""
    before = snapshot(org)
    org_id = org.id
    db.session.add(
        Revision(
            organisation_id=None,
            organisation_slug=org.slug,
            user_id=user.id if user is not None else None,
            version=org.version,
            action="delete",
            changes={field: [value, None] for field, value in before.items()},
            snapshot=before,
        )
    )
    audit.log("delete", org, detail=org.name, user=user)
    # SQLite does not enforce ON DELETE SET NULL unless foreign keys are switched on.
    db.session.execute(
        sa.update(Revision).where(Revision.organisation_id == org_id).values(organisation_id=None)
    )
    db.session.delete(org)


def find(slug: str) -> Organisation | None:
    """Any organisation with this slug; None for text no slug can be (PostgreSQL refuses NUL)."""
    if not slug or len(slug) > slugs.SLUG_MAX_LENGTH or "\x00" in slug:
        return None
    return db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))


def find_renamed(slug: str) -> Organisation | None:
    """The organisation that had this slug before a rename, if it still exists."""
    if not slug or len(slug) > slugs.SLUG_MAX_LENGTH or "\x00" in slug:
        return None
    org_id = db.session.scalar(
        sa.select(Revision.organisation_id)
        .where(Revision.organisation_slug == slug, Revision.organisation_id.is_not(None))
        .order_by(Revision.id.desc())
        .limit(1)
    )
    return db.session.get(Organisation, org_id) if org_id is not None else None


def parse(raw: dict, org: Organisation | None = None):
    """Check a typed record as the import does, and that its slug is free (deriving a new one).

    Returns (values, errors) like records.parse_record.
    """
    values, errors = records.parse_record(raw)
    if errors:
        return values, errors
    slug = values.get("slug", "")
    if slug and slug_taken(slug, org):
        errors.append(records.FieldError("slug", f"{slug!r} is already used by another listing"))
    elif not slug and org is None:
        values["slug"] = derive_slug(values["name"])
    return values, errors


def derive_slug(name: str) -> str:
    """A free slug made from the name; "organisation-N" for a name without letters to use."""
    # The public form has no slug field, so a name like "★" must still get an address.
    base = slugs.slugify_name(name) or "organisation"
    taken = set(
        db.session.scalars(sa.select(Organisation.slug).where(Organisation.slug.startswith(base)))
    )
    return slugs.unique_slug(name, taken)


def as_snapshot(values: dict, org: Organisation | None = None) -> dict:
    """Parsed values in the shape of a snapshot, to compare with a stored one."""
    result = {}
    for field in EDITABLE_FIELDS:
        if field not in values:
            continue
        value = values[field]
        if field == "sectors":
            value = [sector.slug for sector in value]
        elif field == "slug" and not value and org is not None:
            value = org.slug
        result[field] = value
    return result


def form_values(org: Organisation) -> dict:
    """The organisation as the staff form shows it: lists one item per line, checkboxes as lists."""
    text = records.to_text_record(org)
    values: dict[str, Any] = {}
    for field in EDITABLE_FIELDS:
        value: Any = text.get(field, "")
        if field in CHOICE_LIST_FIELDS:
            value = [item for item in value.split(records.LIST_SEPARATOR) if item]
        elif field in LIST_FIELDS:
            value = value.replace(records.LIST_SEPARATOR, "\n")
        values[field] = value
    values["version"] = str(org.version)
    return values


def staff_list(text: str, status: str, kind: str, page: int, per_page: int):
    """Organisations of every status, found by name, slug or e-mail, one page of them."""
    return directory.paginate(staff_query(text, status, kind), page, per_page)


def staff_query(text: str, status: str, kind: str) -> sa.Select:
    """The staff list's query (also what its export writes), newest change first."""
    stmt = sa.select(Organisation)
    text = text.replace("\x00", "").strip()[:200]
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            sa.or_(
                Organisation.name.ilike(pattern, escape="\\"),
                Organisation.name_alt.ilike(pattern, escape="\\"),
                Organisation.slug.ilike(pattern, escape="\\"),
                Organisation.email.ilike(pattern, escape="\\"),
            )
        )
    if status:
        stmt = stmt.where(Organisation.status == status)
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    return stmt.order_by(Organisation.updated_at.desc(), Organisation.id.desc())


def counts_by_status() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Organisation.status, sa.func.count()).group_by(Organisation.status)
    ).all()
    return dict(rows)


def pending(limit: int = 20) -> list[Organisation]:
    stmt = (
        sa.select(Organisation)
        .where(Organisation.status == "pending")
        .order_by(Organisation.created_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def recently_changed(limit: int = 10) -> list[Organisation]:
    stmt = sa.select(Organisation).order_by(Organisation.updated_at.desc()).limit(limit)
    return list(db.session.scalars(stmt))


def sector_choices() -> list[tuple[str, str]]:
    return [
        (s.slug, s.name) for s in db.session.scalars(sa.select(Sector).order_by(Sector.position))
    ]


def conflicting_fields(org: Organisation, typed: dict, expected_version: int | None) -> list[dict]:
    """Each field where the typed values differ from the stored ones, with the side to suggest.

    The suggestion keeps the stored value where the editor left the field as it was when the
    form was opened (so the other person's change survives) and the typed value otherwise.
    """
    stored = snapshot(org)
    typed = as_snapshot(typed, org)
    base_revision = revisions.at_version(org, expected_version) if expected_version else None
    base = base_revision.snapshot if base_revision else None
    fields = []
    for field in EDITABLE_FIELDS:
        if field not in typed or revisions.same(stored.get(field), typed[field]):
            continue
        untouched = base is not None and revisions.same(base.get(field), typed[field])
        fields.append(
            {
                "name": field,
                "stored": stored.get(field),
                "typed": typed[field],
                "take": "stored" if untouched else "typed",
            }
        )
    return fields

"""Changing organisations: create, update, publish, archive, restore, delete.

Each function checks the lifecycle (services/lifecycle.py), writes a revision and an audit
entry, and never commits: the view or command commits once.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import Organisation, Revision, User, utcnow
from . import audit, lifecycle, records, revisions, slugs
from .lifecycle import LifecycleError

__all__ = ["EditConflict", "LifecycleError"]


class EditConflict(Exception):
    """The form was built from an older version than the one stored."""

    def __init__(self, org: Organisation, expected_version: int | None):
        super().__init__(f"{org.slug} is at version {org.version}, not {expected_version}")
        self.org = org
        self.expected_version = expected_version


def touch(org: Organisation) -> None:
    """Mark the organisation changed, so its version goes up with this save."""
    # A change to sectors alone touches only the link table; setting updated_at makes the
    # row itself change, so the version goes up as for any other save.
    org.updated_at = utcnow()


def create(values: dict, user: User | None) -> Organisation:
    """Add an organisation from checked values (see parse); a submission has no user."""
    lifecycle.check_initial(values.get("status") or "draft")
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
    if "status" in values:
        lifecycle.check_status(org, values["status"], user)
    before = revisions.snapshot(org)
    records.apply_record(org, values)
    if revisions.snapshot(org) == before:
        return None
    touch(org)
    revision = revisions.record(org, user, "edit", before)
    audit.log("edit", org, detail=", ".join(revision.changes) if revision else "", user=user)
    return revision


def change_status(org: Organisation, action: str, user: User | None, recorded: str = ""):
    """Take a lifecycle action (publish, archive, ...) if it is allowed; return the revision.

    The history and audit log name it `recorded` (the action's own name by default).
    """
    status = lifecycle.check(action, org, user)
    action = recorded or action
    before = revisions.snapshot(org)
    org.status = status
    if status == "published" and org.published_at is None:
        org.published_at = utcnow()
    touch(org)
    revision = revisions.record(org, user, action, before)
    audit.log(action, org, detail=f"{before['status']} → {status}", user=user)
    return revision


def publish(org: Organisation, user: User | None):
    """Make a draft or pending organisation public."""
    return change_status(org, "publish", user)


def archive(org: Organisation, user: User | None):
    """Take the organisation off the public pages, keeping everything."""
    return change_status(org, "archive", user)


def restore(org: Organisation, user: User | None, status: str = "published"):
    """Bring an archived organisation back, as published or as a draft."""
    action = "restore-as-draft" if status == "draft" else "restore"
    return change_status(org, action, user, recorded="restore")


def restore_revision(org: Organisation, revision: Revision, user: User | None):
    """Put back the fields of an earlier revision as a new revision (None if nothing changed).

    The status stays as it is: publishing, archiving and restoring have lifecycle rules of
    their own (services/lifecycle.py).
    """
    before = revisions.snapshot(org)
    revisions.apply_snapshot(org, {**revision.snapshot, "status": org.status})
    touch(org)
    note = _("Restored version %(version)d", version=revision.version)
    new = revisions.record(org, user, "restore", before, note=note)
    detail = _("version %(version)d", version=revision.version)
    audit.log("restore-revision", org, detail=detail, user=user)
    return new


def delete(org: Organisation, user: User | None, action: str = "delete") -> None:
    """Remove the organisation ("delete", admins; or "reject", a submission never published).

    Its history stays, no longer linked to a row.
    """
    lifecycle.check(action, org, user)
    revisions.record(org, user, "delete", revisions.snapshot(org))
    audit.log("delete", org, detail=org.name, user=user)
    revisions.detach_history(org)
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
    if slug and slugs.taken(slug, org):
        message = _("%(slug)r is already used by another listing", slug=slug)
        errors.append(records.FieldError("slug", message))
    elif not slug and org is None:
        values["slug"] = slugs.derive(values["name"])
    return values, errors

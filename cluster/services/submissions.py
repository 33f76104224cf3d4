"""Public submissions and their moderation: submit, approve, send back with a note, reject."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..extensions import db
from ..i18n import LOCALES, site_name
from ..models import AuditEntry, Organisation, User
from . import audit, lifecycle, mail, organisations


class ModerationError(Exception):
    """The organisation is not waiting for moderation (someone else may have handled it)."""


def submit(values: dict) -> Organisation:
    """Add a submitted organisation as pending (values from organisations.parse; caller commits)."""
    return organisations.create(dict(values, status="pending"), user=None)


def pending_query() -> sa.Select:
    """Submissions waiting for staff, oldest first."""
    return (
        sa.select(Organisation)
        .where(Organisation.status == "pending")
        .order_by(Organisation.created_at, Organisation.id)
    )


def last_notes(orgs: list[Organisation]) -> dict[str, AuditEntry]:
    """The latest send-back audit entry of each organisation, keyed by slug."""
    targets = [audit.describe(org) for org in orgs]
    if not targets:
        return {}
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "send-back", AuditEntry.target.in_(targets))
        .order_by(AuditEntry.created_at, AuditEntry.id)
    )
    return {entry.target.removeprefix("organisation:"): entry for entry in entries}


def _require_pending(org: Organisation) -> None:
    if org.status != "pending":
        raise ModerationError(
            _(
                "%(name)s is no longer waiting for moderation (its status is now %(status)s).",
                name=org.name,
                status=lifecycle.status_label(org.status),
            )
        )


def approve(org: Organisation, user: User) -> None:
    """Publish a pending submission."""
    _require_pending(org)
    organisations.change_status(org, "approve", user)


def send_back(org: Organisation, user: User, note: str) -> mail.Delivery | None:
    """Keep the submission pending and e-mail the note; return what became of the mail.

    None when the submission has no e-mail address. The note is kept in the audit log, so
    the queue shows what was asked and when, and staff can copy it when no mail went out.
    """
    _require_pending(org)
    audit.log("send-back", org, detail=note, user=user)
    if not org.email:
        return None
    return mail.send(*note_mail(org, note))


def note_mail(org: Organisation, note: str) -> tuple[str, str, str]:
    """The address, subject and text of the mail that sends this note to the submitter.

    Written in the language the submission was sent in, whatever the staff page's language.
    """
    language = mail_language(org)
    with force_locale(language):
        return _note_mail(org, note, site_name(language))


def mail_language(org: Organisation) -> str:
    """The language to write to a submitter in: theirs when the site has it, else the default."""
    if org.submission_locale in LOCALES:
        return org.submission_locale
    return current_app.config["DEFAULT_LOCALE"]


def _note_mail(org: Organisation, note: str, site: str) -> tuple[str, str, str]:
    body = _(
        "Hello,\n\nthank you for adding %(name)s to the %(site)s directory. Before we publish "
        "it, please look at this note from our staff:\n\n%(note)s\n\nReply to this message "
        "with the corrections and we will update the listing.\n",
        name=org.name,
        site=site,
        note=note,
    )
    subject = _("%(site)s: about your listing %(name)s", site=site, name=org.name)
    return org.email, subject, body


def reject(org: Organisation, user: User, reason: str = "") -> None:
    """Delete a pending submission; its last state stays in the history as a deletion."""
    _require_pending(org)
    try:
        lifecycle.check("reject", org, user)
    except lifecycle.LifecycleError as error:
        raise ModerationError(str(error)) from None
    audit.log("reject", org, detail=reason or org.name, user=user)
    organisations.delete(org, user, "reject")

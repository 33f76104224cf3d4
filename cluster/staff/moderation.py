"""The moderation queue: public submissions approved, sent back with a note, or rejected."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from ..access import staff_required
from ..extensions import db
from ..models import Organisation
from ..services import records, submissions
from ..services.duplicates import likely_duplicates
from .deliveries import flash_delivery
from .forms import ActionForm, RejectForm, SendBackForm
from .organisations import get_organisation

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


@bp.get("")
@staff_required
def queue():
    """List the submissions waiting for a decision, with likely duplicates and earlier notes."""
    pending = list(db.session.scalars(submissions.pending_query()))
    duplicates = {
        org.id: likely_duplicates(records.to_text_record(org), exclude_id=org.id) for org in pending
    }
    return render_template(
        "staff/moderation.html",
        pending=pending,
        duplicates=duplicates,
        notes=submissions.last_notes(pending),
        send_back_form=SendBackForm(),
        reject_form=RejectForm(),
        action_form=ActionForm(),
    )


def moderate(
    slug: str,
    action: Callable[[Organisation], object],
    done: Callable[[str], str],
    form: FlaskForm | None = None,
):
    """Run one moderation action on a submission and commit, or explain why it did not happen.

    done(name) says what happened to the submission of that name.
    """
    form = form or ActionForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
        return redirect(url_for(".queue"), 303)
    org = get_organisation(slug)
    name = org.name
    try:
        action(org)
        db.session.commit()
    except submissions.ModerationError as error:
        db.session.rollback()
        flash(str(error), "warning")
    except StaleDataError:
        db.session.rollback()
        message = _("%(name)s was changed by someone else meanwhile; look at it again.", name=name)
        flash(message, "warning")
    else:
        flash(done(name), "success")
    return redirect(url_for(".queue"), 303)


@bp.post("/<slug>/approve")
@staff_required
def approve(slug: str):
    """Publish a pending submission."""
    user = current_user._get_current_object()
    return moderate(
        slug,
        lambda org: submissions.approve(org, user),
        lambda name: _("%(name)s is published.", name=name),
    )


@bp.post("/<slug>/send-back")
@staff_required
def send_back(slug: str):
    """Keep a submission pending and send its author a note."""
    form = SendBackForm()
    user = current_user._get_current_object()
    outcome: dict = {}

    def action(org):
        outcome["delivery"] = submissions.send_back(org, user, form.note.data.strip())
        outcome["email"] = org.email

    response = moderate(slug, action, lambda name: _("Note kept for %(name)s.", name=name), form)
    if "delivery" not in outcome:
        return response
    delivery = outcome["delivery"]
    if delivery is None:
        flash(_("The submission has no e-mail address: contact them another way."), "warning")
    else:
        flash_delivery(
            delivery,
            _("The note was e-mailed to %(email)s.", email=outcome["email"]),
            _("No mail server is configured: copy the note below and send it yourself."),
            lambda reason: _(
                "The note could not be e-mailed to %(email)s (%(reason)s): copy it below and send "
                "it yourself.",
                email=outcome["email"],
                reason=reason,
            ),
            "info",
        )
        if delivery.sent:
            return response
    return redirect(url_for(".note", slug=slug), 303)


@bp.get("/<slug>/note")
@staff_required
def note(slug: str):
    """Show the last note sent back to a submission as a mail to copy and send by hand."""
    org = get_organisation(slug)
    entry = submissions.last_notes([org]).get(org.slug)
    if entry is None:
        abort(404)
    to, subject, body = submissions.note_mail(org, entry.detail)
    return render_template("staff/note.html", org=org, to=to, subject=subject, body=body)


@bp.post("/<slug>/reject")
@staff_required
def reject(slug: str):
    """Remove a pending submission, keeping its last state in the history."""
    form = RejectForm()
    user = current_user._get_current_object()
    return moderate(
        slug,
        lambda org: submissions.reject(org, user, (form.reason.data or "").strip()),
        lambda name: _("%(name)s was rejected and removed.", name=name),
        form,
    )

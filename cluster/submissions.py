"""Keeping listings honest: public submissions, moderation, verification, stale listings, logos."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.orm.exc import StaleDataError
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .auth import staff_required
from .extensions import db, limiter
from .forms import OrganisationForm
from .models import Organisation
from .services import directory, freshness, logos, organisations, records, submissions
from .services.duplicates import DuplicateFinder
from .staff import safe_next

log = logging.getLogger(__name__)

bp = Blueprint("moderation", __name__)

# Per address; only accepted submissions count (a form sent back with errors does not).
SUBMIT_LIMIT = "5 per hour"
# Fields the public does not choose: staff set the status, and the address derives from the name.
STAFF_ONLY_FIELDS = ("status", "slug")


class SubmissionForm(OrganisationForm):
    """The staff form without status and slug, plus a honeypot and the duplicate confirmation."""

    status = None
    slug = None
    version = None
    logo = None
    FIELDSETS = tuple(
        (legend, tuple(name for name in names if name not in STAFF_ONLY_FIELDS), kind)
        for legend, names, kind in OrganisationForm.FIELDSETS
    )
    # People never see this field (a CSS class hides it); form-filling robots fill it in.
    homepage = StringField("Leave this field empty", [Optional(), Length(max=300)])
    confirm_duplicate = BooleanField("This is a different organisation: send it anyway")


class SendBackForm(FlaskForm):
    note = TextAreaField(
        "Note to the organisation",
        [DataRequired("Write what should be corrected."), Length(max=5000)],
    )


class RejectForm(FlaskForm):
    reason = StringField("Reason (kept in the audit log)", [Optional(), Length(max=500)])


class VerifyForm(FlaskForm):
    """A button; only the CSRF token travels with it."""


class LogoForm(FlaskForm):
    logo = FileField(
        "Logo",
        [FileRequired("Choose an image file.")],
        description="PNG, JPEG or WebP, at most 2 MB; it is resized to 512 pixels at most.",
    )


def add_field_errors(form: FlaskForm, errors) -> None:
    """Show each record error next to its field (the name field when it has none here)."""
    for error in errors:
        field = form._fields.get(error.column) or form.name
        field.errors = [*field.errors, error.message.capitalize()]


# Public ----------------------------------------------------------------------------------------


@bp.errorhandler(RateLimitExceeded)
def too_many_submissions(error):
    """Explain the submission limit in words."""
    return (
        render_template(
            "errors/error.html",
            code=429,
            title="Too many submissions",
            message="You have sent several organisations from this address in the last hour. "
            "Please try again in an hour, or write to the technopark directly.",
        ),
        429,
        {"Retry-After": "3600"},
    )


@bp.route("/submit", methods=["GET", "POST"])
@limiter.limit(
    SUBMIT_LIMIT, methods=["POST"], deduct_when=lambda response: response.status_code == 303
)
def submit():
    """Let anyone propose an organisation; it waits for staff as pending."""
    form = SubmissionForm(sector_choices=organisations.sector_choices())
    duplicates: list = []
    if form.is_submitted() and form.homepage.data:
        # Answered like a real submission, so the robot learns nothing.
        log.info("Dropped a submission with the honeypot filled from %s", request.remote_addr)
        return redirect(url_for(".submitted"), 303)
    if form.validate_on_submit():
        values, errors = organisations.parse(form.raw_record())
        add_field_errors(form, errors)
        if not errors:
            duplicates = DuplicateFinder.load().find(values)
            if not duplicates or form.confirm_duplicate.data:
                submissions.submit(values)
                db.session.commit()
                return redirect(url_for(".submitted"), 303)
    public = [(org, reason) for org, reason in duplicates if org.is_public]
    return render_template(
        "public/submit.html",
        form=form,
        duplicates=public,
        unlisted_duplicates=len(duplicates) - len(public),
    ), (422 if form.errors else 200)


@bp.get("/submit/thanks")
def submitted():
    """Thank the visitor and say what happens next."""
    return render_template("public/submitted.html")


# Staff: moderation -----------------------------------------------------------------------------


@bp.get("/staff/moderation")
@staff_required
def queue():
    """List the submissions waiting for a decision, with likely duplicates and earlier notes."""
    pending = list(db.session.scalars(submissions.pending_query()))
    duplicates = {}
    if pending:
        finder = DuplicateFinder.load()
        duplicates = {
            org.id: finder.find(records.to_text_record(org), exclude_id=org.id) for org in pending
        }
    return render_template(
        "staff/moderation.html",
        pending=pending,
        duplicates=duplicates,
        notes=submissions.last_notes(pending),
        send_back_form=SendBackForm(),
        reject_form=RejectForm(),
        action_form=VerifyForm(),
    )


def organisation_or_404(slug: str) -> Organisation:
    org = organisations.find(slug)
    if org is None:
        abort(404)
    return org


def moderate(slug: str, action, done_message: str, form: FlaskForm | None = None):
    """Run one moderation action on a submission and commit, or explain why it did not happen."""
    form = form or VerifyForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for(".queue"), 303)
    org = organisation_or_404(slug)
    name = org.name
    try:
        action(org)
        db.session.commit()
    except submissions.ModerationError as error:
        db.session.rollback()
        flash(str(error), "warning")
    except StaleDataError:
        db.session.rollback()
        flash(f"{name} was changed by someone else meanwhile; look at it again.", "warning")
    else:
        flash(done_message.format(name=name), "success")
    return redirect(url_for(".queue"), 303)


@bp.post("/staff/moderation/<slug>/approve")
@staff_required
def approve(slug: str):
    """Publish a pending submission."""
    user = current_user._get_current_object()
    return moderate(slug, lambda org: submissions.approve(org, user), "{name} is published.")


@bp.post("/staff/moderation/<slug>/send-back")
@staff_required
def send_back(slug: str):
    """Keep a submission pending and send its author a note."""
    form = SendBackForm()
    user = current_user._get_current_object()
    outcome = {}

    def action(org):
        outcome["mailed"] = submissions.send_back(org, user, form.note.data.strip())
        outcome["email"] = org.email

    response = moderate(slug, action, "Note kept for {name}.", form)
    if "mailed" in outcome:
        if outcome["mailed"]:
            flash(f"The note was e-mailed to {outcome['email']}.", "info")
        elif outcome["email"]:
            flash("No mail server is configured: the note was logged, not e-mailed.", "warning")
        else:
            flash("The submission has no e-mail address: contact them another way.", "warning")
    return response


@bp.post("/staff/moderation/<slug>/reject")
@staff_required
def reject(slug: str):
    """Delete a pending submission, keeping its last state in the history."""
    form = RejectForm()
    user = current_user._get_current_object()
    return moderate(
        slug,
        lambda org: submissions.reject(org, user, (form.reason.data or "").strip()),
        "{name} was rejected and removed.",
        form,
    )


# Staff: freshness ------------------------------------------------------------------------------


@bp.post("/staff/organisations/<slug>/verify")
@staff_required
def verify(slug: str):
    """Record that a staff member checked the organisation's facts today."""
    form = VerifyForm()
    if not form.validate_on_submit():
        abort(400)
    org = organisation_or_404(slug)
    freshness.mark_verified(org, current_user._get_current_object())
    db.session.commit()
    flash(f"{org.name} is marked as checked today.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for(".stale"), 303)


@bp.get("/staff/stale")
@staff_required
def stale():
    """List published organisations nobody has checked for a year (or ever)."""
    page = directory.paginate(
        freshness.stale_query(), directory.parse_page(request.args.get("page")), per_page=50
    )
    return render_template("staff/stale.html", page=page, form=VerifyForm())


# Staff: logos ----------------------------------------------------------------------------------
# Apart from the edit form on purpose: a file cannot be carried through the edit conflict page,
# and a refused image must leave every typed field of that form alone.


@bp.route("/staff/organisations/<slug>/logo", methods=["GET", "POST"])
@staff_required
def logo(slug: str):
    """Upload a new logo for an organisation; a refused file changes nothing."""
    org = organisation_or_404(slug)
    form = LogoForm()
    if form.validate_on_submit():
        try:
            logos.replace_logo(
                org,
                form.logo.data,
                current_app.config["UPLOAD_DIR"],
                current_user._get_current_object(),
            )
        except logos.LogoError as error:
            form.logo.errors = [str(error)]
        else:
            db.session.commit()
            flash(f"The logo of {org.name} is updated.", "success")
            return redirect(url_for("staff.edit", slug=org.slug), 303)
    status = 422 if form.errors else 200
    return render_template(
        "staff/moderation_logo.html", org=org, form=form, remove_form=VerifyForm()
    ), status


@bp.post("/staff/organisations/<slug>/logo/remove")
@staff_required
def remove_logo(slug: str):
    """Stop showing an organisation's logo."""
    org = organisation_or_404(slug)
    if not VerifyForm().validate_on_submit():
        abort(400)
    logos.remove_logo(org, current_user._get_current_object())
    db.session.commit()
    flash(f"{org.name} has no logo now.", "info")
    return redirect(url_for("staff.edit", slug=org.slug), 303)

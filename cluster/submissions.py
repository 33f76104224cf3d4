"""The public's "Add your organisation": a submission waits for staff as pending."""

from __future__ import annotations

import logging

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded

from .extensions import db, limiter
from .forms import SubmissionForm
from .i18n import lang
from .services import directory, organisations, submissions
from .services.duplicates import likely_duplicates
from .templating import sector_name

log = logging.getLogger(__name__)

bp = Blueprint("submissions", __name__)

# Per address: accepted submissions, and every POST (each costs a duplicate check, accepted or
# not), so that forms sent back with errors or warnings cannot be sent without end.
SUBMIT_LIMIT = "5 per hour"
POST_LIMIT = "30 per hour"


@bp.errorhandler(RateLimitExceeded)
def too_many_submissions(error):
    """Explain the submission limit in words."""
    return (
        render_template(
            "errors/error.html",
            code=429,
            title=_("Too many submissions"),
            message=_(
                "You have sent several organisations from this address in the last hour. "
                "Please try again in an hour, or write to the technopark directly."
            ),
        ),
        429,
        {"Retry-After": "3600"},
    )


def add_field_errors(form: SubmissionForm, errors) -> None:
    """Show each record error next to its field (the name field when it has none here), unless
    the form's own checks already found a problem there."""
    already = {name for name, field in form._fields.items() if field.errors}
    for error in errors:
        field = form._fields.get(error.column) or form["name"]
        if field.name in already:
            continue
        # Only the first letter: capitalize() would lower-case the rest (a code such as RUB).
        field.errors = [*field.errors, error.message[:1].upper() + error.message[1:]]


@bp.route("/submit", methods=["GET", "POST"])
@limiter.limit(
    SUBMIT_LIMIT, methods=["POST"], deduct_when=lambda response: response.status_code == 303
)
@limiter.limit(POST_LIMIT, methods=["POST"])
def submit():
    """Let anyone propose an organisation; it waits for staff as pending."""
    sectors = [(sector.slug, sector_name(sector)) for sector in directory.all_sectors()]
    form = SubmissionForm(sector_choices=sectors)
    duplicates: list = []
    if form.is_submitted() and form.homepage.data:
        # Answered like a real submission, so the robot learns nothing.
        log.info("Dropped a submission with the honeypot filled from %s", request.remote_addr)
        return redirect(url_for(".submitted"), 303)
    if form.is_submitted():
        checked = form.validate()
        # Every problem at once: the record's checks run even when the form's found some.
        values, errors = organisations.parse(form.raw_record())
        add_field_errors(form, errors)
        if checked and not errors:
            # The public is told of published listings only; staff see the rest in moderation.
            duplicates = likely_duplicates(values, statuses=("published",))
            if not duplicates or form.confirm_duplicate.data:
                # Staff answer a submission in the language it was sent in.
                submissions.submit({**values, "submission_locale": lang()})
                db.session.commit()
                return redirect(url_for(".submitted"), 303)
    return render_template("public/submit.html", form=form, duplicates=duplicates), (
        422 if form.errors else 200
    )


@bp.get("/submit/thanks")
def submitted():
    """Thank the visitor and say what happens next."""
    return render_template("public/submitted.html")

"""'Ask the technopark to introduce you': a visitor's request, kept for staff, sent to nobody."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from .extensions import db, limiter
from .services import directory
from .services import introductions as service

log = logging.getLogger(__name__)

bp = Blueprint("introductions", __name__)

# Per address: requests kept, and every POST (each is checked), so that a form sent back with
# errors cannot be tried without end either.
ASK_LIMIT = "5 per hour"
POST_LIMIT = "20 per hour"


class IntroductionForm(FlaskForm):
    """The visitor's request; services/introductions.py judges the values."""

    name = StringField(_l("Your name"), [Optional(), Length(max=service.NAME_MAX)])
    email = StringField(_l("Your e-mail"), [Optional(), Length(max=service.EMAIL_MAX)])
    company = StringField(_l("Your organisation"), [Optional(), Length(max=service.COMPANY_MAX)])
    purpose = TextAreaField(
        _l("What for"),
        [Optional(), Length(max=service.PURPOSE_MAX)],
        description=_l("Who you are and why you would like to meet them, in a few sentences."),
    )
    # People never see this field (a CSS class hides it); form-filling robots fill it in.
    homepage = StringField(_l("Leave this field empty"), [Optional(), Length(max=300)])


@bp.errorhandler(RateLimitExceeded)
def too_many_requests(error):
    """Explain the limit in words."""
    message = _(
        "You have sent several requests for introductions from this address in the last hour. "
        "Please try again in an hour, or write to the technopark directly."
    )
    page = render_template(
        "errors/error.html", code=429, title=_("Too many requests"), message=message
    )
    return page, 429, {"Retry-After": "3600"}


def published_or_404(slug: str):
    org = directory.find_by_slug(slug)
    if org is None or not org.is_public:
        abort(404)
    return org


@bp.route("/o/<slug>/introduce", methods=["GET", "POST"])
@limiter.limit(ASK_LIMIT, methods=["POST"], deduct_when=lambda r: r.status_code == 303)
@limiter.limit(POST_LIMIT, methods=["POST"])
def ask(slug: str):
    """Let a visitor ask the technopark to introduce them to an organisation."""
    org = published_or_404(slug)
    form = IntroductionForm()
    status = 200
    if form.is_submitted() and form.homepage.data:
        # Answered like a real request, so the robot learns nothing; nothing is kept.
        log.info("Dropped an introduction request with the honeypot filled from %s",
                 request.remote_addr)  # fmt: skip
        return redirect(url_for(".asked", slug=slug), 303)
    if form.validate_on_submit():
        values, errors = service.parse_request(form.data)
        for name, message in errors.items():
            form[name].errors = [*form[name].errors, message[:1].upper() + message[1:]]
        if not errors:
            service.ask(org, values)
            db.session.commit()
            return redirect(url_for(".asked", slug=slug), 303)
    if form.errors:
        status = 422
    return render_template("public/introduce.html", org=org, form=form), status


@bp.get("/o/<slug>/introduce/thanks")
def asked(slug: str):
    """Thank the visitor and say what happens next."""
    org = published_or_404(slug)
    return render_template("public/introduce_thanks.html", org=org)

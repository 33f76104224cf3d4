"""The introductions queue: visitors' requests to meet an organisation, forwarded or declined."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import staff_required
from ..extensions import db
from ..introduction_model import INTRODUCTION_STATUS_LABELS, INTRODUCTION_STATUSES, Introduction
from ..services import introductions
from .deliveries import flash_delivery
from .forms import ActionForm, DeclineIntroductionForm

bp = Blueprint("introductions", __name__, url_prefix="/introductions")


def get_introduction(number: int) -> Introduction:
    return db.get_or_404(Introduction, number)


@bp.get("")
@staff_required
def queue():
    """List the requests of one status (new ones first), with a count of each status."""
    status = request.args.get("status", "new")
    if status not in INTRODUCTION_STATUSES:
        status = "new"
    return render_template(
        "staff/introductions.html",
        status=status,
        labels=INTRODUCTION_STATUS_LABELS,
        counts=introductions.counts(),
        requests=introductions.queue(status),
        action_form=ActionForm(),
        decline_form=DeclineIntroductionForm(),
    )


def _refused(form) -> bool:
    if form.validate_on_submit():
        return False
    for errors in form.errors.values():
        for message in errors:
            flash(str(message), "error")
    return True


@bp.post("/<int:number>/forward")
@staff_required
def forward(number: int):
    """Send a request to the organisation's e-mail, or show it to copy when it cannot be sent."""
    introduction = get_introduction(number)
    if _refused(ActionForm()):
        return redirect(url_for(".queue"), 303)
    try:
        delivery = introductions.forward(introduction, current_user._get_current_object())
    except introductions.IntroductionError as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(url_for(".queue"), 303)
    db.session.commit()
    flash_delivery(
        delivery,
        _("The request was e-mailed to %(email)s.", email=introduction.forwarded_to),
        _("No mail server is configured: copy the mail below and send it yourself."),
        lambda reason: _(
            "The request could not be e-mailed to %(email)s (%(reason)s): copy it below and "
            "send it yourself.",
            email=introduction.forwarded_to,
            reason=reason,
        ),
    )
    if delivery.sent:
        return redirect(url_for(".queue"), 303)
    return redirect(url_for(".mail_to_copy", number=number), 303)


@bp.get("/<int:number>/mail")
@staff_required
def mail_to_copy(number: int):
    """Show a forwarded request as the mail that forwards it, to copy and send by hand."""
    introduction = get_introduction(number)
    if introduction.status != "forwarded":
        abort(404)
    message = introductions.forward_mail(introduction)
    return render_template("staff/introduction_mail.html", introduction=introduction, mail=message)


@bp.post("/<int:number>/decline")
@staff_required
def decline(number: int):
    """Decline a request with a note; nothing is sent to anyone."""
    introduction = get_introduction(number)
    form = DeclineIntroductionForm()
    if _refused(form):
        return redirect(url_for(".queue"), 303)
    try:
        introductions.decline(
            introduction, current_user._get_current_object(), form.note.data.strip()
        )
    except introductions.IntroductionError as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(url_for(".queue"), 303)
    db.session.commit()
    flash(_("The request from %(name)s was declined.", name=introduction.name), "success")
    return redirect(url_for(".queue"), 303)

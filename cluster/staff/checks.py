"""Keeping listings fresh: staff confirm an organisation's facts; the list of those due."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import staff_required
from ..extensions import db
from ..redirects import safe_next
from ..services import directory, freshness, matchmaking
from .forms import ActionForm
from .organisations import get_organisation

bp = Blueprint("checks", __name__)


@bp.post("/organisations/<slug>/verify")
@staff_required
def verify(slug: str):
    """Record that a staff member checked the organisation's facts today."""
    if not ActionForm().validate_on_submit():
        abort(400)
    org = get_organisation(slug)
    freshness.mark_verified(org, current_user._get_current_object())
    db.session.commit()
    flash(_("%(name)s is marked as checked today.", name=org.name), "success")
    return redirect(safe_next(request.form.get("next")) or url_for(".stale"), 303)


@bp.get("/stale")
@staff_required
def stale():
    """List published organisations nobody has checked for a year (or ever)."""
    page = directory.paginate(
        freshness.stale_query(), directory.parse_page(request.args.get("page")), per_page=50
    )
    return render_template("staff/stale.html", page=page, form=ActionForm())


@bp.get("/quantities")
@staff_required
def quantities():
    """List organisations whose minimum order or capacity could not be read as a number."""
    page = directory.paginate(
        matchmaking.unreadable_quantities_query(),
        directory.parse_page(request.args.get("page")),
        per_page=50,
    )
    return render_template("staff/quantities.html", page=page)

"""An organisation's history: every revision with its changes, and restoring one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..access import staff_required
from ..extensions import db
from ..models import Revision
from ..services import organisations, revisions
from .forms import ActionForm
from .organisations import get_organisation

bp = Blueprint("history", __name__, url_prefix="/organisations")


@bp.app_template_filter("revision_value")
def revision_value(value) -> str:
    return revisions.display(value)


@bp.get("/<slug>/history")
@staff_required
def index(slug: str):
    """List an organisation's revisions with each changed field."""
    org = get_organisation(slug)
    return render_template(
        "staff/history.html", org=org, revisions=revisions.history(org), form=ActionForm()
    )


@bp.post("/<slug>/revisions/<int:revision_id>/restore")
@staff_required
def restore(slug: str, revision_id: int):
    """Put an organisation's fields back as they were after a revision."""
    org = get_organisation(slug)
    revision = db.session.get(Revision, revision_id)
    if revision is None or revision.organisation_id != org.id:
        abort(404)
    if ActionForm().validate_on_submit():
        new = organisations.restore_revision(org, revision, current_user)
        db.session.commit()
        if new:
            flash(f"Restored the version {revision.version} as a new revision.", "success")
        else:
            flash("That version is what is stored now; nothing changed.", "info")
    return redirect(url_for(".index", slug=org.slug))

"""An organisation's history: every revision with its changes, and restoring one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import browse, fields
from ..access import staff_required
from ..extensions import db
from ..models import Revision
from ..services import organisations, revisions
from .forms import ActionForm
from .organisations import get_organisation

bp = Blueprint("history", __name__, url_prefix="/organisations")


def sector_names() -> dict[str, str]:
    """Each sector's name in the page's language by its slug, read once per request."""
    if "sector_names" not in g:
        g.sector_names = browse.sector_labels()
    return g.sector_names


@bp.app_template_filter("revision_value")
def revision_value(value, name: str = "") -> str:
    """A stored value as one line; a choice field's codes and sectors' slugs as their names."""
    field = fields.BY_NAME.get(name)
    if name == "sectors" and isinstance(value, list):
        names = sector_names()
        value = [names.get(item, item) if isinstance(item, str) else item for item in value]
    elif field is not None and field.choices:
        labels = dict(field.choices)
        if isinstance(value, list):
            value = [labels.get(item, item) if isinstance(item, str) else item for item in value]
        elif isinstance(value, str):
            value = labels.get(value, value)
    return revisions.display(value)


@bp.app_template_filter("field_label")
def field_label(name: str) -> str:
    """The label staff read for a field of the spec (its name when it is not one)."""
    field = fields.BY_NAME.get(name)
    return str(field.label) if field is not None else name


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
            message = _("Version %(version)d restored as a new revision.", version=revision.version)
            flash(message, "success")
        else:
            flash(_("That version is what is stored now; nothing changed."), "info")
    return redirect(url_for(".index", slug=org.slug))

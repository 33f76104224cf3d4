"""Staff moving a listing through its lifecycle: publish, archive, restore, delete."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import admin_required, staff_required
from ..extensions import db
from ..models import Organisation
from ..services import organisations
from .forms import ActionForm, RestoreForm
from .organisations import get_organisation

bp = Blueprint("lifecycle", __name__, url_prefix="/organisations")


def take(org: Organisation, change: Callable[[], object], done: str):
    """Make the change and commit, or say why the lifecycle refused it; back to the edit page."""
    try:
        change()
    except organisations.LifecycleError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("staff.organisations.edit", slug=org.slug))


@bp.post("/<slug>/<any(publish, archive):action>")
@staff_required
def change_status(slug: str, action: str):
    """Publish or archive an organisation."""
    org = get_organisation(slug)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("staff.organisations.edit", slug=org.slug))
    user = current_user._get_current_object()
    if action == "publish":
        done = _("%(name)s is now published.", name=org.name)
    else:
        done = _("%(name)s is now archived.", name=org.name)
    return take(org, lambda: organisations.change_status(org, action, user), done)


@bp.post("/<slug>/restore")
@staff_required
def restore(slug: str):
    """Bring an archived organisation back as published or as a draft."""
    org = get_organisation(slug)
    form = RestoreForm()
    if not form.validate_on_submit():
        return redirect(url_for("staff.organisations.edit", slug=org.slug))
    user = current_user._get_current_object()
    status = form.status.data
    if status == "draft":
        done = _("%(name)s is back, as a draft.", name=org.name)
    else:
        done = _("%(name)s is back and published.", name=org.name)
    return take(org, lambda: organisations.restore(org, user, status), done)


@bp.route("/<slug>/delete", methods=["GET", "POST"])
@admin_required
def delete(slug: str):
    """Delete an organisation after a confirmation."""
    org = get_organisation(slug)
    form = ActionForm()
    if form.validate_on_submit():
        name = org.name
        organisations.delete(org, current_user)
        db.session.commit()
        flash(_("%(name)s was deleted.", name=name), "success")
        return redirect(url_for("staff.organisations.index"))
    return render_template("staff/delete.html", org=org, form=form)

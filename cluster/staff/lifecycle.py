"""Staff moving a listing through its lifecycle: publish, archive, restore, delete."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ..access import admin_required, staff_required
from ..extensions import db
from ..services import organisations
from .forms import ActionForm, RestoreForm
from .organisations import get_organisation

bp = Blueprint("lifecycle", __name__, url_prefix="/organisations")


def back_to_edit(slug: str):
    return redirect(url_for("staff.organisations.edit", slug=slug))


@bp.post("/<slug>/<any(publish, archive):action>")
@staff_required
def change_status(slug: str, action: str):
    """Publish or archive an organisation."""
    org = get_organisation(slug)
    if ActionForm().validate_on_submit():
        try:
            organisations.change_status(org, action, current_user)
        except organisations.LifecycleError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"{org.name} is now {org.status}.", "success")
    return back_to_edit(org.slug)


@bp.post("/<slug>/restore")
@staff_required
def restore(slug: str):
    """Bring an archived organisation back as published or as a draft."""
    org = get_organisation(slug)
    form = RestoreForm()
    if form.validate_on_submit():
        try:
            organisations.restore(org, current_user, form.status.data)
        except organisations.LifecycleError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"{org.name} is back, as {org.status}.", "success")
    return back_to_edit(org.slug)


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
        flash(f"{name} was deleted.", "success")
        return redirect(url_for("staff.organisations.index"))
    return render_template("staff/delete.html", org=org, form=form)

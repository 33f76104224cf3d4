"""Staff uploading and removing an organisation's logo.

Apart from the edit form on purpose: a file cannot be carried through the edit conflict page,
and a refused image must leave every typed field of that form alone.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import staff_required
from ..extensions import db
from ..services import logos
from .forms import ActionForm, LogoForm
from .organisations import get_organisation

bp = Blueprint("logos", __name__, url_prefix="/organisations")


@bp.route("/<slug>/logo", methods=["GET", "POST"])
@staff_required
def upload(slug: str):
    """Upload a new logo for an organisation; a refused file changes nothing."""
    org = get_organisation(slug)
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
            flash(_("The logo of %(name)s is updated.", name=org.name), "success")
            return redirect(url_for("staff.organisations.edit", slug=org.slug), 303)
    status = 422 if form.errors else 200
    return render_template("staff/logo.html", org=org, form=form, remove_form=ActionForm()), status


@bp.post("/<slug>/logo/remove")
@staff_required
def remove(slug: str):
    """Stop showing an organisation's logo."""
    org = get_organisation(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    logos.remove_logo(org, current_user._get_current_object())
    db.session.commit()
    flash(_("%(name)s has no logo now.", name=org.name), "info")
    return redirect(url_for("staff.organisations.edit", slug=org.slug), 303)

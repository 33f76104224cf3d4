"""Staff accounts: the list of users, adding one, changing a role or disabling an account."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import admin_required
from ..extensions import db
from ..models import User
from ..services import accounts, audit
from .forms import UserChangeForm, UserForm

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.route("", methods=["GET", "POST"])
@admin_required
def index():
    """List staff users and add one."""
    form = UserForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.email.data, form.password.data, role=form.role.data, name=form.name.data or ""
            )
        except accounts.AccountError as error:
            form.email.errors = [*form.email.errors, str(error)]
            status = 422
        else:
            db.session.flush()
            role = accounts.role_label(user.role)
            audit.log("user-create", user, _("role %(role)s", role=role))
            db.session.commit()
            flash(
                _("%(email)s can now log in, with the role %(role)s.", email=user.email, role=role),
                "success",
            )
            return redirect(url_for(".index"))
    elif request.method == "POST":
        status = 422
    return render_template(
        "staff/users.html", form=form, users=accounts.all_users(), change_form=UserChangeForm
    ), status


@bp.post("/<int:user_id>")
@admin_required
def change(user_id: int):
    """Change a user's role or disable the account."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = UserChangeForm()
    if user.id == current_user.id:
        flash(_("You cannot change your own role or disable your own account."), "error")
    elif form.validate_on_submit():
        changes = accounts.change_user(user, role=form.role.data, active=form.active.data == "1")
        if changes:
            detail = " ".join(changes)
            audit.log("user-change", user, detail)
            db.session.commit()
            flash(_("%(email)s: %(changes)s", email=user.email, changes=detail), "success")
    return redirect(url_for(".index"))

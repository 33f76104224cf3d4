"""Staff accounts: the list of users, adding one, changing a role or disabling an account."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
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
            audit.log("user-create", user, f"role {user.role}")
            db.session.commit()
            flash(f"{user.email} can now log in as {user.role}.", "success")
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
        flash("You cannot change your own role or disable your own account.", "error")
    elif form.validate_on_submit():
        detail = accounts.change_user(user, role=form.role.data, active=form.active.data == "1")
        if detail:
            audit.log("user-change", user, detail)
            db.session.commit()
            flash(f"{user.email}: {detail}.", "success")
    return redirect(url_for(".index"))

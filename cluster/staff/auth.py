"""Staff sessions: logging in, with limits on failures (services/logins.py), and logging out."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..access import staff_required
from ..extensions import db
from ..redirects import safe_next
from ..services import accounts, audit, logins
from .forms import LoginForm

bp = Blueprint("auth", __name__)


def too_many() -> str:
    """The answer to too many failed logins, in the page's language."""
    return _("Too many attempts, try again later.")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log a staff member in."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("staff.dashboard.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        address = request.remote_addr or ""
        if logins.refused(address, form.email.data):
            retry = {"Retry-After": str(int(logins.WINDOW.total_seconds()))}
            page = render_template(
                "staff/login.html", form=form, error=too_many(), next_url=next_url
            )
            return page, 429, retry
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            logins.forget(address, form.email.data)
            # A CSRF token seen before the login (by whoever fixed this browser's session)
            # must not work after it.
            field = current_app.config["WTF_CSRF_FIELD_NAME"]
            session.pop(field, None)
            g.pop(field, None)
            login_user(user)
            audit.log("login", user, user=user)
            db.session.commit()
            return redirect(next_url or url_for("staff.dashboard.index"))
        logins.record_failure(address, form.email.data)
        audit.log("login-failed", form.email.data.strip()[:200])
        db.session.commit()
        error = _("Wrong e-mail or password.")
    elif request.method == "POST":
        error = _("Wrong e-mail or password.")
    return render_template("staff/login.html", form=form, error=error, next_url=next_url)


@bp.post("/logout")
@staff_required
def logout():
    """Log out."""
    user = current_user._get_current_object()
    audit.log("logout", user)
    # Every cookie of this user, saved copies and other browsers included, stops working.
    user.end_sessions()
    logout_user()
    db.session.commit()
    flash(_("You are logged out."), "info")
    return redirect(url_for("staff.auth.login"))

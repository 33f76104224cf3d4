"""Staff sessions and roles: who is logged in, and who may open which staff page."""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from .extensions import db, login_manager
from .models import User


def init_app(app: Flask) -> None:
    login_manager.login_view = "staff.auth.login"
    login_manager.login_message = _l("Please log in to open the staff area.")
    # Flashed messages are kept in the session cookie, so the lazy text goes in as a string.
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user and user.active else None


def staff_required(view):
    """Let any logged-in staff member (editor or admin) through; others go to the login page."""
    return login_required(view)


def admin_required(view):
    """Let only admins through: others logged in get 403, anonymous visitors the login page."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped

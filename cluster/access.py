"""Staff sessions and roles: who is logged in, and who may open which staff page."""

from __future__ import annotations

import hashlib
import hmac
from functools import wraps

from flask import Flask, abort, request
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
    # Flask-Login 0.6 has no public setting for this; tests/test_sessions.py checks that a
    # forged X-Forwarded-For does not pass the protection, so a release that renames it fails.
    if not hasattr(login_manager, "_session_identifier_generator"):
        raise RuntimeError("Flask-Login no longer has _session_identifier_generator")
    login_manager._session_identifier_generator = session_identifier


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The active user whose id and current session token the cookie carries (User.get_id)."""
    user_id, _colon, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active:
        return None
    return user if hmac.compare_digest(user.session_token, token) else None


def session_identifier() -> str:
    """What strong session protection ties a session to: the address and the browser.

    Flask-Login's own reads X-Forwarded-For, which any client may send; request.remote_addr
    is the proxy's word only when PROXY_COUNT says a proxy is trusted (security.py).
    """
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(f"{request.remote_addr}|{agent}".encode()).hexdigest()


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

"""The staff area under /staff/: one blueprint per room, nested in the `staff` blueprint.

Endpoints read as `staff.<room>.<view>`, e.g. url_for("staff.organisations.edit", slug=...).
"""

from __future__ import annotations

from flask import Blueprint

from . import (
    auth,
    checks,
    dashboard,
    history,
    lifecycle,
    logos,
    moderation,
    organisations,
    transfer,
    users,
)

bp = Blueprint("staff", __name__)  # at /<lang>/staff (cluster/__init__.py)
for room in (
    auth,
    dashboard,
    organisations,
    lifecycle,
    history,
    logos,
    checks,
    moderation,
    transfer,
    users,
):
    bp.register_blueprint(room.bp)

"""The staff area under /staff/: one blueprint per room, nested in the `staff` blueprint.

Endpoints read as `staff.<room>.<view>`, e.g. url_for("staff.organisations.edit", slug=...).
"""

from __future__ import annotations

from flask import Blueprint

from . import (
    auth,
    checks,
    dashboard,
    display,
    history,
    introductions,
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
    introductions,
    transfer,
    users,
):
    bp.register_blueprint(room.bp)

bp.context_processor(display.labels)
for name, function in display.FILTERS.items():
    bp.add_app_template_filter(function, name)
for name, helper in display.GLOBALS.items():
    bp.add_app_template_global(helper, name)

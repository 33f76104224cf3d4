"""The staff home page and the audit log."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ..access import admin_required, staff_required
from ..models import STATUSES
from ..services import audit, directory, freshness, introductions, listings

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@staff_required
def index():
    """Show pending submissions, recent changes and counts by status."""
    return render_template(
        "staff/dashboard.html",
        counts=listings.counts_by_status(),
        due_for_check=freshness.stale_count(),
        new_introductions=introductions.counts()["new"],
        pending=listings.pending(),
        recent=listings.recently_changed(),
        statuses=STATUSES,
    )


@bp.get("/audit")
@admin_required
def audit_log():
    """List every staff action, newest first."""
    page = audit.entries(directory.parse_page(request.args.get("page")), per_page=100)
    return render_template("staff/audit.html", page=page)

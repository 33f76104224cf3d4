"""Public pages: home, directory, profiles, sectors."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _

from . import browse, search
from .errors import error_response
from .services import directory

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    """Show what the cluster is, its numbers, and the organisations added last."""
    return render_template(
        "public/home.html",
        total=directory.count_published(),
        kind_counts=directory.counts_by_kind(),
        sector_counts=directory.sectors_with_counts(include_empty=False),
        recent=directory.recently_added(6),
    )


@bp.get("/organisations")
def organisations():
    """List published organisations, filtered, sorted and paginated."""
    query = directory.parse_query(request.args)
    page = directory.list_organisations(query, current_app.config["PER_PAGE"])
    filters = browse.directory_filters(
        query,
        kinds=directory.counts_by_kind(),
        residencies=directory.counts_by_residency(),
        sectors=directory.sectors_with_counts(include_empty=False),
        cities=directory.cities_with_counts(),
    )
    return render_template(
        "public/directory.html",
        query=query,
        page=page,
        filters=filters,
        facet_titles=browse.FILTER_TITLES,
    )


@bp.get("/o/<slug>")
def profile(slug: str):
    """Show one published organisation with everything it has told us."""
    org = directory.find_by_slug(slug)
    if org is None or org.status in ("draft", "pending"):
        abort(404)
    if org.status == "archived":
        return error_response(
            410,
            _("This organisation is no longer listed in the directory."),
            _("No longer listed"),
        )
    return render_template("public/profile.html", org=org, similar=search.similar_to(org))


@bp.get("/sectors")
def sectors():
    """List the sectors of the cluster with how many organisations each holds."""
    return render_template("public/sectors.html", sector_counts=directory.sectors_with_counts())


@bp.get("/sectors/<slug>")
def sector(slug: str):
    """Show one sector and its published organisations."""
    found = directory.find_sector(slug)
    if found is None:
        abort(404)
    page = directory.sector_organisations(
        found, directory.parse_page(request.args.get("page")), current_app.config["PER_PAGE"]
    )
    return render_template("public/sector.html", sector=found, page=page)

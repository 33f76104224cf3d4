"""Public pages: home, directory, profiles, sectors."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _

from . import browse, caching, search
from .errors import error_response
from .services import browsing, directory, investors, partners

bp = Blueprint("public", __name__)
caching.init_blueprint(bp)
# Static files are the public pages' too: their addresses carry a version of their content.
bp.record_once(lambda state: caching.init_static(state.app))


@bp.get("/")
def home():
    """Show what the cluster is, its numbers, and the organisations added last."""
    overview = browsing.overview()
    return render_template(
        "public/home.html",
        total=overview.total,
        kind_counts=overview.kinds,
        sector_counts=overview.sectors,
        recent=overview.recent,
    )


@bp.get("/organisations")
def organisations():
    """List published organisations, filtered, sorted and paginated."""
    query = directory.parse_query(request.args)
    found = browsing.listing(query, current_app.config["PER_PAGE"])
    return render_template(
        "public/directory.html",
        query=query,
        page=found.page,
        filters=browse.directory_filters(query, found.facets),
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
    return render_template(
        "public/profile.html",
        org=org,
        similar=search.similar_to(org),
        matches=partners.profile_matches(org),
        focus=investors.focus_of(org),
    )


@bp.get("/sectors")
def sectors():
    """List the sectors of the cluster with how many organisations each holds."""
    return render_template("public/sectors.html", sector_counts=browsing.sector_counts())


@bp.get("/sectors/<slug>")
def sector(slug: str):
    """Show one sector and its published organisations."""
    found = directory.find_sector(slug)
    if found is None:
        abort(404)
    page = browsing.sector_listing(
        found, directory.parse_page(request.args.get("page")), current_app.config["PER_PAGE"]
    )
    return render_template("public/sector.html", sector=found, page=page)

"""Downloads of the public lists: the directory (filtered) or a search as .xlsx or CSV for Excel."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, current_app, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from .errors import error_response
from .extensions import limiter
from .models import Organisation
from .services import downloads

bp = Blueprint("downloads", __name__)
# Writing a file costs far more than a page: its own limit per address, all lists together.
limiter.shared_limit(lambda: current_app.config["DOWNLOAD_RATE_LIMIT"], scope="downloads")(bp)
# The list pages that offer their list as a file, by the download's endpoint.
DOWNLOAD_OF_PAGE = {
    "public.organisations": "downloads.directory_file",
    "search.results": "downloads.search_file",
}


@bp.get("/organisations/download.<file_format>")
def directory_file(file_format: str):
    """Download the directory's published organisations, filtered as its page is."""
    return file_response(file_format, text=False)


@bp.get("/search/download.<file_format>")
def search_file(file_format: str):
    """Download what a search finds, in the order of its page."""
    return file_response(file_format, text=True)


@bp.app_template_global()
def download_url(file_format: str) -> str:
    """The current list page's list as a file, '' on a page that offers none."""
    endpoint = DOWNLOAD_OF_PAGE.get(request.endpoint or "")
    if not endpoint:
        return ""
    args: dict[str, Any] = request.args.to_dict(flat=False)
    args.pop("page", None)
    args.pop("format", None)
    return url_for(endpoint, file_format=file_format, **args)


def profile_url(org: Organisation) -> str:
    """The full address of the organisation's profile, in the page's language."""
    return url_for("public.profile", slug=org.slug, _external=True)


def file_response(file_format: str, text: bool):
    """The list of the request's arguments as a file to save."""
    if file_format not in downloads.FORMATS:
        return error_response(
            404, _("Lists can be downloaded as xlsx or csv."), _("No such file format")
        )
    orgs = downloads.listed(downloads.download_query(request.args, text))
    body = downloads.as_file(orgs, file_format, profile_url)
    filename = f"organisations-{date.today():%Y-%m-%d}.{file_format}"
    return Response(
        body,
        content_type=downloads.FORMATS[file_format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

"""The API's documentation page: the OpenAPI document rendered by Swagger UI from static/."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from .i18n import lang

bp = Blueprint("api_docs", __name__)


@bp.get("/api")
def page():
    """Show the API v1's operations, read from its OpenAPI document in the page's language."""
    return render_template(
        "public/api.html", openapi_url=url_for("api_v1.openapi_document", lang=lang())
    )

"""Uploaded files served by name: organisations' logos."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, send_from_directory
from flask_login import current_user

from .services import logos

bp = Blueprint("uploads", __name__)

# Names the upload code writes: no directories, no dot files, an image extension.
SAFE_UPLOAD_NAME = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,100}\.(png|jpe?g|webp|gif)$", re.IGNORECASE
)


@bp.get("/uploads/<name>")
def logo(name: str):
    """Serve a logo by its stored file name: to anyone while its organisation is published, to
    staff only while it is not, to nobody once no organisation shows it."""
    if not SAFE_UPLOAD_NAME.fullmatch(name):
        abort(404)
    shown = logos.shown_to(name)
    folder = current_app.config["UPLOAD_DIR"]
    if shown == "public":
        return send_from_directory(folder, name, max_age=logos.PUBLIC_MAX_AGE)
    if shown == "staff" and current_user.is_authenticated:
        response = send_from_directory(folder, name)
        response.cache_control.no_store = True
        response.cache_control.private = True
        return response
    abort(404)

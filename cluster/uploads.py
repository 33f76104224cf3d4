"""Uploaded files served by name: organisations' logos."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, send_from_directory

bp = Blueprint("uploads", __name__)

# Names the upload code writes: no directories, no dot files, an image extension.
SAFE_UPLOAD_NAME = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,100}\.(png|jpe?g|webp|gif)$", re.IGNORECASE
)


@bp.get("/uploads/<name>")
def logo(name: str):
    """Serve an uploaded logo by its stored file name."""
    if not SAFE_UPLOAD_NAME.fullmatch(name):
        abort(404)
    return send_from_directory(current_app.config["UPLOAD_DIR"], name, max_age=86400)

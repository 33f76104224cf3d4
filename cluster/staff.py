"""Staff area: login, editing, moderation, history, import and export."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

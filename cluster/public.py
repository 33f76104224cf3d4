"""Public pages: home, directory, profiles, sectors."""

from flask import Blueprint

bp = Blueprint("public", __name__)

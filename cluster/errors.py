"""Error pages: JSON for the API and for clients that ask for it, HTML for everyone else."""

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .i18n import language_redirect

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have access to this page.",
    404: "There is no page at this address.",
    405: "This address does not accept that kind of request.",
    410: "This page has been removed.",
    413: "What you sent is too large.",
    429: "Too many attempts. Please wait a minute and try again.",
    500: "Something went wrong on our side. Please try again later.",
}
UNEXPECTED_TITLE = "Something went wrong"


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(code: int, message: str, title: str):
    """Answer an error in the form the client can read."""
    if wants_json():
        return jsonify(error={"code": code, "title": title, "message": message}), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_response(
            400,
            "The form expired or was sent from another site. Go back, reload the page "
            "and send it again.",
            "Form expired",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code == 404:
            moved = language_redirect()
            if moved is not None:
                return moved
        message = MESSAGES.get(code) or error.description or MESSAGES[400]
        if (
            code in (400, 413)
            and error.description
            and error.description != type(error).description
        ):
            message = error.description
        return error_response(code, message, error.name)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        # A failed statement can leave the transaction unusable (PostgreSQL refuses every
        # later one); the error page itself may need the database, e.g. for the logged-in user.
        db.session.rollback()
        return error_response(500, MESSAGES[500], UNEXPECTED_TITLE)

"""Error pages: JSON for the API and for clients that ask for it, HTML for everyone else."""

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .api_v1 import is_api_request, problems
from .extensions import db
from .i18n import language_redirect

log = logging.getLogger(__name__)

# Our own titles and messages per status code; werkzeug's are English only.
TITLES = {
    400: _l("Bad request"),
    401: _l("Login required"),
    403: _l("No access"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    410: _l("No longer here"),
    413: _l("Too large"),
    415: _l("Unsupported file type"),
    422: _l("Cannot be processed"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("Service unavailable"),
}
MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please log in to see this page."),
    403: _l("You do not have access to this page."),
    404: _l("There is no page at this address."),
    405: _l("This address does not accept that kind of request."),
    409: _l("The request conflicts with the current state of this page."),
    410: _l("This page has been removed."),
    413: _l("What you sent is too large."),
    415: _l("This kind of file is not accepted here."),
    422: _l("What you sent could not be processed."),
    429: _l("Too many attempts. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. Please try again later."),
    503: _l("The directory is not available just now. Please try again in a few minutes."),
}
UNEXPECTED_TITLE = TITLES[500]


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(code: int, message: str, title: str, headers=None):
    """Answer an error in the form the client can read (a problem document in the API v1)."""
    message, title = str(message), str(title)
    if is_api_request():
        return problems.response(problems.Problem(code, title, message, headers=headers))
    if wants_json():
        return jsonify(error={"code": code, "title": title, "message": message}), code, headers
    page = render_template("errors/error.html", code=code, title=title, message=message)
    return page, code, headers


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_response(
            400,
            _(
                "The form expired or was sent from another site. Go back, reload the page "
                "and send it again."
            ),
            _("Form expired"),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code == 404:
            moved = language_redirect()
            if moved is not None:
                return moved
        fallback = 500 if code >= 500 else 400
        message = MESSAGES.get(code, MESSAGES[fallback])
        # A description given where the error was raised is ours, and already translated.
        if (
            code in (400, 413)
            and error.description
            and error.description != type(error).description
        ):
            message = error.description
        # Allow (405) and Retry-After (429) tell the client what to do next.
        headers = dict(error.get_headers())
        headers.pop("Content-Type", None)
        return error_response(code, message, TITLES.get(code, TITLES[fallback]), headers)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        # A failed statement can leave the transaction unusable (PostgreSQL refuses every
        # later one); the error page itself may need the database, e.g. for the logged-in user.
        db.session.rollback()
        return error_response(500, MESSAGES[500], UNEXPECTED_TITLE)

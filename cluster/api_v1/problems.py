"""Problem documents (RFC 9457): how the API answers every error, as application/problem+json."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import quote, urlencode

from flask import Response, current_app, json, request

MEDIA_TYPE = "application/problem+json"
# No problem type of our own: each error is what its HTTP status says (RFC 9457, 4.2.1).
BLANK = "about:blank"


class Problem(Exception):
    """An error a view of the API answers with: its status, title, detail and bad parameters."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        errors: Iterable[Mapping[str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = str(title)
        self.detail = str(detail)
        self.errors = [dict(error) for error in errors]
        self.headers = dict(headers or {})


def document(problem: Problem) -> dict:
    """The problem's members as the API documents them."""
    body: dict = {
        "type": BLANK,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": instance(),
    }
    if problem.errors:
        body["errors"] = problem.errors
    return body


def instance() -> str:
    """The address asked for, percent-encoded as a URI reference whatever it held."""
    query = urlencode(list(request.args.items(multi=True)))
    return quote(request.path, safe="/") + (f"?{query}" if query else "")


def response(problem: Problem) -> Response:
    """The problem as a response, with the headers it carries (Allow, Retry-After ...)."""
    answer = current_app.response_class(
        json.dumps(document(problem)), status=problem.status, mimetype=MEDIA_TYPE
    )
    answer.headers.update(problem.headers)
    return answer

"""What every answer of the API carries: CORS for reading from other sites, ETags answered
with 304 when the client has the same body, a rate limit per address.

CORS is a few fixed headers, not an extension: the API is public, read-only and sends no
cookies, so every origin may read it and there is nothing per origin to decide.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from ..extensions import limiter

PREFIX = "/api/v1"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    # If-None-Match is not a CORS-safelisted header: a browser asks first (preflight).
    "Access-Control-Allow-Headers": "Accept, Accept-Language, If-None-Match",
    "Access-Control-Expose-Headers": (
        "ETag, Link, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
    ),
    "Access-Control-Max-Age": "86400",
}


def is_api_request() -> bool:
    """Whether the current request is addressed to the API v1 (an unknown path there too)."""
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def rate_limit() -> str:
    """The requests one address may make to the API, e.g. "300 per minute"."""
    return current_app.config["API_RATE_LIMIT"]


def add_api_headers(response: Response) -> Response:
    """CORS on every answer under the API; an ETag, and 304 for a matching If-None-Match."""
    if not is_api_request():
        return response
    response.headers.update(CORS_HEADERS)
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        # Labels follow the language asked, so a cache keeps one answer per language.
        response.vary.add("Accept-Language")
        # A cache may keep the answer but asks each time; an unchanged body costs a 304.
        response.headers["Cache-Control"] = "public, no-cache"
        response.add_etag()
        response.make_conditional(request)
    return response


def init_blueprint(bp: Blueprint) -> None:
    """Limit the blueprint's requests per address, all its routes counting together."""
    limiter.shared_limit(rate_limit, scope="api-v1")(bp)
    # App-wide: unknown paths under /api/v1/ match no route of the blueprint, yet they are
    # the API's answers too.
    bp.after_app_request(add_api_headers)

"""The API's OpenAPI 3.1 document, generated from the views and their marshmallow schemas.

apispec with its marshmallow plugin: the schemas that read arguments (arguments.py) and dump
answers (schemas.py) are the ones documented, so the document cannot say what the code does
not do. apispec only writes the document and stays out of the request: our views, errors
(problem documents) and headers remain plain Flask. flask-smorest, built on apispec, would
also route, parse and answer errors its own way (webargs, its own error handler on the whole
app, which would replace the site's HTML error pages), which is more than seven read-only
operations need. Both are maintained by the marshmallow project.

Descriptions are marked for translation; the document is built once per language and process.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from marshmallow import Schema

from ..i18n import lang
from . import schemas
from .arguments import SlugPath

VERSION = "1.0.0"
# Flask's <converter:name> as OpenAPI's {name}.
RULE_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
PROBLEM_TITLES = {
    400: _l("An argument is not valid."),
    404: _l("No published organisation has this address."),
    405: _l("The API only reads: GET, HEAD and OPTIONS."),
    410: _l("The organisation is no longer listed."),
    429: _l("Too many requests from this address; wait as Retry-After says."),
}
DESCRIPTION = _l(
    "Published organisations of the technopark's directory, read-only. Labels and messages "
    "come in the language of `lang` or the Accept-Language header (Russian or English); data "
    "as the organisations wrote it. Every answer has an ETag: send it back as If-None-Match "
    "and an unchanged answer is 304 Not Modified. Errors are problem documents (RFC 9457). "
    "Requests are limited per address. Any site may read the API (CORS). What an organisation "
    "offers and needs is given twice: in its own words (`capabilities`, `needs`) and as "
    "slugs of the shared vocabulary (`offers`, `needs_capabilities`), which `/capabilities` "
    "lists with their names."
)


def documented(
    summary: LazyString,
    response: type[Schema] | dict,
    args: type[Schema] | None = None,
    *,
    description: LazyString | str = "",
    problems: Iterable[int] = (400, 429),
    paged: bool = False,
    tag: str = "organisations",
) -> Callable:
    """Describe a view for the document: its arguments, its answer and the problems it has."""

    def mark(view: Callable) -> Callable:
        view.openapi = {  # type: ignore[attr-defined]
            "summary": summary,
            "description": description,
            "response": response,
            "args": args,
            "problems": tuple(problems),
            "paged": paged,
            "tag": tag,
        }
        return view

    return mark


def answer_schema() -> type[Schema]:
    """The schema the current request's view is documented to answer with.

    A view names its answer's schema once, in its description; the body is dumped through
    the same one, so the document and the answer cannot drift apart.
    """
    view: Any = current_app.view_functions[str(request.endpoint)]
    return view.openapi["response"]


def operation(info: dict[str, Any], path_variables: list[str]) -> dict[str, Any]:
    """The OpenAPI operation of one documented view."""
    parameters: list[Any] = []
    if path_variables:
        parameters.append({"in": "path", "schema": SlugPath})
    if info["args"] is not None:
        parameters.append({"in": "query", "schema": info["args"]})
    # Names of components: apispec writes them as references.
    parameters.append("IfNoneMatch")
    headers = {"ETag": "ETag"}
    if info["paged"]:
        headers["Link"] = "Link"
    responses: dict[str, Any] = {
        "200": {
            "description": info["summary"],
            "headers": headers,
            "content": {"application/json": {"schema": info["response"]}},
        },
        "304": "NotModified",
    }
    for status in info["problems"]:
        responses[str(status)] = f"Problem{status}"
    found = {
        "summary": info["summary"],
        "operationId": info["operation_id"],
        "tags": [info["tag"]],
        "parameters": parameters,
        "responses": responses,
    }
    if info["description"]:
        found["description"] = info["description"]
    return found


def add_components(spec: APISpec) -> None:
    """What every operation shares: the problem answers, 304, the ETag and Link headers."""
    spec.components.parameter(
        "IfNoneMatch",
        "header",
        {
            "name": "If-None-Match",
            "description": _l("An ETag of an earlier answer: unchanged, it is 304."),
            "schema": {"type": "string"},
        },
    )
    text = {"type": "string"}
    spec.components.header("ETag", {"description": _l("Names this answer's body."), "schema": text})
    spec.components.header(
        "Link",
        {"description": _l("The first, last, previous and next pages (RFC 8288)."), "schema": text},
    )
    spec.components.response("NotModified", {"description": _l("Unchanged since the ETag sent.")})
    for status, description in PROBLEM_TITLES.items():
        spec.components.response(
            f"Problem{status}",
            {
                "description": description,
                "content": {"application/problem+json": {"schema": schemas.Problem}},
            },
        )


def build() -> dict[str, Any]:
    """The document for the current app, with texts in the current language."""
    spec = APISpec(
        title=str(_l("Technopark directory API")),
        version=VERSION,
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={"description": DESCRIPTION},
    )
    add_components(spec)
    rules = sorted(current_app.url_map.iter_rules(), key=lambda rule: rule.rule)
    for rule in rules:
        view = current_app.view_functions.get(rule.endpoint)
        info = getattr(view, "openapi", None)
        if info is None:
            continue
        info = {**info, "operation_id": rule.endpoint.rsplit(".", 1)[-1]}
        path = RULE_VARIABLE.sub(r"{\1}", rule.rule)
        spec.path(path=path, operations={"get": operation(info, sorted(rule.arguments))})
    return plain(spec.to_dict())


def plain(value: Any) -> Any:
    """The document with every lazy text translated, so it can be written as JSON."""
    if isinstance(value, LazyString):
        return str(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def document() -> dict[str, Any]:
    """The document in the language asked, built once per language in each process."""
    built = current_app.extensions.setdefault("api_v1_openapi", {})
    language = lang()
    if language not in built:
        built[language] = build()
    return built[language]

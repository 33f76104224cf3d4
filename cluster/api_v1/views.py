"""The operations of the API v1: each reads its arguments, calls the search engine or the
directory, and dumps its answer through its schema."""

from __future__ import annotations

import functools
from typing import cast

from flask import Blueprint, Response, current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema

from .. import search
from ..services import directory, numbers
from ..services.capabilities import vocabulary
from . import arguments, http, openapi, problems, resources, schemas
from .arguments import LanguageArgs, OrganisationListArgs, SearchArgs, SuggestArgs
from .openapi import documented
from .problems import Problem

bp = Blueprint("api_v1", __name__, url_prefix=http.PREFIX)
http.init_blueprint(bp)
bp.register_error_handler(Problem, problems.response)


def answer(data, headers: dict[str, str] | None = None) -> Response:
    """The data dumped through the schema its view is documented with, as JSON."""
    schema = dumper(openapi.answer_schema())
    response = cast(Response, current_app.json.response(schema.dump(data)))
    response.headers.update(headers or {})
    return response


@functools.cache
def dumper(schema: type[Schema]) -> Schema:
    """One instance of each answer's schema, made once: dumping keeps no state in it, and
    making one (its nested schemas too) was a tenth of an API request's time."""
    return schema()


def paged(page: dict) -> Response:
    """A page of organisations, with its links in a Link header as well."""
    return answer(page, {"Link": resources.link_header(page["links"])})


@bp.get("/")
@documented(_l("Where everything in the API is"), schemas.Index, args=LanguageArgs, tag="api")
def index():
    """List the API's resources and its document."""
    arguments.read(LanguageArgs(), request.args)
    return answer(
        {
            "openapi": resources.absolute("api_v1.openapi_document"),
            "documentation": resources.absolute("api_docs.page"),
            "organisations": resources.absolute("api_v1.organisations"),
            "search": resources.absolute("api_v1.search_organisations"),
            "sectors": resources.absolute("api_v1.sectors"),
            "capabilities": resources.absolute("api_v1.capabilities"),
            "suggest": resources.absolute("api_v1.suggest"),
        }
    )


@bp.get("/openapi.json")
@documented(_l("This API's OpenAPI 3.1 document"), {"type": "object"}, LanguageArgs, tag="api")
def openapi_document():
    """Answer the OpenAPI document, its texts in the language asked."""
    arguments.read(LanguageArgs(), request.args)
    return current_app.json.response(openapi.document())


@bp.get("/organisations")
@documented(
    _l("Published organisations, filtered, with facet counts"),
    schemas.OrganisationPage,
    OrganisationListArgs,
    paged=True,
)
def organisations():
    """List published organisations with the search page's filters and facets."""
    values = arguments.read(OrganisationListArgs(), request.args)
    result = search.backend().search(arguments.search_query(values, "name"))
    return paged(resources.result_page(result, with_hits=False))


@bp.get("/organisations/<slug>")
@documented(
    _l("One published organisation"),
    schemas.Organisation,
    LanguageArgs,
    problems=(400, 404, 410, 429),
)
def organisation(slug: str):
    """Answer everything one published organisation's page shows."""
    arguments.read(LanguageArgs(), request.args)
    org = directory.find_by_slug(slug)
    if org is None or org.status in ("draft", "pending"):
        raise Problem(404, _("Not found"), _("No published organisation has this address."))
    if org.status == "archived":
        raise Problem(
            410,
            _("No longer listed"),
            _("This organisation is no longer listed in the directory."),
        )
    return answer(resources.organisation(org))


@bp.get("/search")
@documented(
    _l("Search published organisations by words and facets"),
    schemas.SearchPage,
    SearchArgs,
    paged=True,
    tag="search",
)
def search_organisations():
    """Search published organisations, as the search page does."""
    values = arguments.read(SearchArgs(), request.args)
    result = search.backend().search(arguments.search_query(values, "relevance"))
    page = resources.result_page(result, with_hits=True)
    page.update(
        query=result.query.text,
        suggestion=result.suggestion,
        partial_=result.partial,
        unmatched=result.unmatched,
    )
    return paged(page)


@bp.get("/suggest")
@documented(
    _l("Names of published organisations that complete what is typed"),
    schemas.SuggestionList,
    SuggestArgs,
    tag="search",
)
def suggest():
    """Complete an organisation's name from its first letters."""
    values = arguments.read(SuggestArgs(), request.args)
    found = search.backend().suggest(values["q"], limit=values["limit"])
    return answer({"items": [resources.suggestion(s) for s in found]})


def _published_counts(*facets: str) -> list[dict[str, int]]:
    """Published organisations per value of each facet, for a list taking only the language."""
    arguments.read(LanguageArgs(), request.args)
    counts = numbers.published_facets()[1]
    return [counts.get(facet, {}) for facet in facets]


@bp.get("/sectors")
@documented(
    _l("The sectors of the cluster, with their published organisations"),
    schemas.SectorList,
    LanguageArgs,
    tag="sectors",
)
def sectors():
    """List the sector taxonomy with how many published organisations each holds."""
    (counts,) = _published_counts("sector")
    items = [resources.sector(item, counts.get(item.slug, 0)) for item in directory.all_sectors()]
    return answer({"items": items})


@bp.get("/capabilities")
@documented(
    _l("The canonical capabilities, with the published organisations offering and needing each"),
    schemas.CapabilityList,
    LanguageArgs,
    tag="capabilities",
)
def capabilities():
    """List the capability vocabulary with how many published organisations offer and need each."""
    offered, needed = _published_counts("offers", "needs")
    families = {family.slug: family for family in vocabulary().families}
    items = [
        resources.capability(item, offered.get(item.slug, 0), needed.get(item.slug, 0), families)
        for item in vocabulary().capabilities
    ]
    return answer({"items": items})

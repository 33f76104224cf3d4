"""What the API answers, as marshmallow schemas: each view's body is dumped through one, and
the OpenAPI document describes the same schemas, so the two cannot drift apart."""

from __future__ import annotations

from typing import TypeVar

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from ..models import KINDS, RESIDENCIES, STAGES
from ..search import FACETS

F = TypeVar("F", bound=fields.Field)


def uri(description, **options) -> fields.String:
    """An absolute address."""
    return fields.String(metadata={"format": "uri", "description": description}, **options)


def described(field: type[F], description, *arguments, **options) -> F:
    """A field of this kind with its description in the document; its own arguments follow."""
    return field(*arguments, metadata={"description": description}, **options)


def text(description="", **options) -> fields.String:
    if not description:
        return fields.String(**options)
    return described(fields.String, description, **options)


def list_of(schema: type[Schema]) -> type[Schema]:
    """A body holding a list of one schema's items, named after it: SectorList."""
    items = fields.List(fields.Nested(schema), required=True)
    return Schema.from_dict({"items": items}, name=f"{schema.__name__}List")


def counted(description) -> fields.Integer:
    """A required number of organisations."""
    return described(fields.Integer, description, required=True)


IN_LANGUAGE = _l("In the language asked.")
CURRENCY = _l("ISO 4217 code; empty when not given.")


def record(title: str, /, **members: fields.Field) -> type[Schema]:
    """A small schema of these fields, named in the document as the API's other schemas are."""
    return Schema.from_dict(members, name=title)


def whole(**options) -> fields.Integer:
    return fields.Integer(required=True, **options)


# A vocabulary's code and its label; a sector; a link; an amount; an investor's ticket size.
Label = record("Label", value=fields.String(required=True), label=text(IN_LANGUAGE, required=True))
SectorRef = record(
    "SectorRef", slug=fields.String(required=True), name=text(IN_LANGUAGE, required=True)
)
Link = record("Link", label=fields.String(required=True), url=uri(_l("The link."), required=True))
Money = record("Money", amount=whole(), currency=text(CURRENCY, required=True))
Ticket = record(
    "Ticket",
    min=whole(allow_none=True),
    max=whole(allow_none=True),
    currency=text(CURRENCY, required=True),
)


class Investment(Schema):
    type = fields.Nested(Label, required=True, allow_none=True)
    stages = described(
        fields.List,
        _l("The stages it invests at; none listed: any stage."),
        fields.Nested(Label),
        required=True,
    )
    ticket = fields.Nested(Ticket, required=True, allow_none=True)
    instruments = fields.List(fields.Nested(Label), required=True)


class Programme(Schema):
    name = fields.String(required=True)
    level = fields.String(required=True)
    format = fields.String(required=True)
    duration = fields.String(required=True)


class OrganisationSummary(Schema):
    """An organisation as lists show it."""

    slug = fields.String(required=True)
    name = fields.String(required=True)
    name_alt = text(_l("The name in the other language or script; may be empty."), required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    kind_label = fields.String(required=True)
    residency = fields.String(required=True, validate=validate.OneOf(RESIDENCIES))
    residency_label = fields.String(required=True)
    stage = fields.String(required=True, allow_none=True, validate=validate.OneOf(STAGES))
    stage_label = fields.String(required=True, allow_none=True)
    summary = text(_l("As the organisation wrote it."), required=True)
    summary_alt = text(_l("The summary in the other language; may be empty."), required=True)
    city = fields.String(required=True)
    sectors = fields.List(fields.Nested(SectorRef), required=True)
    logo = uri(_l("The logo's address, if there is one."), required=True, allow_none=True)
    published_at = fields.AwareDateTime(required=True, allow_none=True)
    url = uri(_l("The organisation's page."), required=True)
    api_url = uri(_l("This organisation in the API."), required=True)


class Organisation(OrganisationSummary):
    """Everything a published organisation tells: its profile page's content."""

    description = fields.String(required=True)
    description_alt = fields.String(required=True)
    tags = fields.List(fields.String(), required=True)
    capabilities = described(
        fields.List, _l("What it offers, as written."), fields.String(), required=True
    )
    needs = described(fields.List, _l("What it needs, as written."), fields.String(), required=True)
    looking_for = fields.List(fields.Nested(Label), required=True)
    offers = described(
        fields.List, _l("Canonical capabilities it offers."), fields.Nested(Label), required=True
    )
    needs_capabilities = described(
        fields.List, _l("Canonical capabilities it needs."), fields.Nested(Label), required=True
    )
    funding_sought = fields.Nested(Money, required=True, allow_none=True)
    investment = described(
        fields.Nested,
        _l("An investor's focus and terms; null for other kinds."),
        Investment,
        required=True,
        allow_none=True,
    )
    equipment = fields.List(fields.String(), required=True)
    min_order = fields.String(required=True)
    capacity = fields.String(required=True)
    programmes = fields.List(fields.Nested(Programme), required=True)
    founded_year = fields.Integer(required=True, allow_none=True)
    team_size = fields.Integer(required=True, allow_none=True)
    address = fields.String(required=True)
    building = fields.String(required=True)
    floor = fields.String(required=True)
    unit = fields.String(required=True)
    website = uri(_l("Its website, if it is a web address."), required=True, allow_none=True)
    email = fields.String(required=True)
    phone = fields.String(required=True)
    social_links = fields.List(fields.Nested(Link), required=True)
    updated_at = fields.AwareDateTime(required=True)
    verified_at = described(
        fields.AwareDateTime,
        _l("When the technopark last checked the profile."),
        required=True,
        allow_none=True,
    )


class FacetValue(Schema):
    value = fields.String(required=True)
    label = text(_l("In the language asked."), required=True)
    count = fields.Integer(required=True)


# For each facet, its values with how many results have each, most first.
Facets = Schema.from_dict(
    {facet: fields.List(fields.Nested(FacetValue), required=True) for facet in FACETS},
    name="Facets",
)


class PageLinks(Schema):
    self_ = uri(_l("This page."), required=True, data_key="self")
    first = uri(_l("The first page."), required=True)
    last = uri(_l("The last page."), required=True)
    prev = uri(_l("The page before, if any."), required=True, allow_none=True)
    next = uri(_l("The page after, if any."), required=True, allow_none=True)


class OrganisationPage(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    items = fields.List(fields.Nested(OrganisationSummary), required=True)
    facets = fields.Nested(Facets, required=True)
    links = fields.Nested(PageLinks, required=True)


class SearchHit(OrganisationSummary):
    snippet = text(_l("Safe HTML: escaped text, matches in <mark>."), required=True)
    score = fields.Float(required=True)


class SearchPage(OrganisationPage):
    query = text(_l("The words searched for, as read."), required=True)
    items = fields.List(fields.Nested(SearchHit), required=True)
    suggestion = text(_l("A spelling that finds more, if any."), required=True, allow_none=True)
    # Schema.partial is marshmallow's own attribute.
    partial_ = described(
        fields.Boolean,
        _l("True when no result has every word searched for."),
        data_key="partial",
        required=True,
    )
    unmatched = described(
        fields.List, _l("Words searched for that nothing matched."), fields.String(), required=True
    )


class Named(Schema):
    """A term of the directory's vocabularies: its slug and its name in each language."""

    slug = fields.String(required=True)
    name = text(_l("In the language asked."), required=True)
    name_en = fields.String(required=True)
    name_ru = fields.String(required=True)


class Sector(Named):
    description = fields.String(required=True)
    organisations = counted(_l("Published organisations in the sector."))
    url = uri(_l("The sector's page."), required=True)
    organisations_url = uri(_l("Its organisations in the API."), required=True)


class Capability(Named):
    family = fields.String(required=True)
    family_name = text(_l("The family's name, in the language asked."), required=True)
    broader = text(_l("The wider capability it is part of, or empty."), required=True)
    offered_by = counted(_l("Published organisations that offer it."))
    needed_by = counted(_l("Published organisations that need it."))
    offers_url = uri(_l("The organisations that offer it, in the API."), required=True)
    needs_url = uri(_l("The organisations that need it, in the API."), required=True)


class Suggestion(Schema):
    name = fields.String(required=True)
    slug = fields.String(required=True)
    url = uri(_l("The organisation's page."), required=True)
    api_url = uri(_l("This organisation in the API."), required=True)


# The answers that list the sectors, the capabilities and the names completed: {"items": [...]}.
SectorList, CapabilityList, SuggestionList = map(list_of, (Sector, Capability, Suggestion))


class Index(Schema):
    """Where everything in the API is."""

    openapi = uri(_l("This API's OpenAPI document."), required=True)
    documentation = uri(_l("The same document, to read."), required=True)
    organisations = uri(_l("Published organisations."), required=True)
    search = uri(_l("Search."), required=True)
    sectors = uri(_l("Sectors."), required=True)
    capabilities = uri(
        _l("The canonical capabilities organisations offer and need."), required=True
    )
    suggest = uri(_l("Names completed as they are typed."), required=True)


class ParameterError(Schema):
    parameter = fields.String(required=True)
    detail = fields.String(required=True)


class Problem(Schema):
    """An error, as RFC 9457 describes it; `detail` says what went wrong, in the language asked."""

    type = fields.String(required=True, metadata={"format": "uri-reference"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String(required=True, metadata={"format": "uri-reference"})
    errors = described(
        fields.List, _l("Each argument that is not valid, and why."), fields.Nested(ParameterError)
    )

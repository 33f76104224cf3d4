"""The query arguments each operation takes, as marshmallow schemas: read from the URL here
(a bad value is a 400 problem naming the argument) and documented from the same schemas."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from werkzeug.datastructures import MultiDict

from .. import search
from ..i18n import LOCALES
from ..models import KINDS, LOOKING_FOR, RESIDENCIES, STAGES
from ..services import capabilities
from ..services.slugs import SLUG_MAX_LENGTH, SLUG_PATTERN
from .problems import Problem

TEXT_MAX = 200
VALUE_MAX = search.MAX_FACET_VALUE_CHARS
SUGGEST_MAX = 20
DIGITS = re.compile(r"-?[0-9]{1,9}")


class WholeNumber(fields.Integer):
    """An integer written in plain digits: "12", not "12.0", "+12" or "1_2"."""

    def _deserialize(self, value: Any, attr, data, **kwargs):
        if not isinstance(value, str) or not DIGITS.fullmatch(value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def choices(values, description, example: str) -> fields.List:
    """A filter that may repeat (kind=startup&kind=company), each value one of `values`."""
    return fields.List(
        fields.String(validate=validate.OneOf(values)),
        validate=validate.Length(max=search.MAX_FACET_VALUES),
        metadata={"description": description, "examples": [[example]]},
    )


def typed(description, examples: list[str]) -> fields.String:
    """Words as a visitor types them, "" when not given."""
    return fields.String(
        load_default="",
        validate=validate.Length(max=TEXT_MAX),
        metadata={"description": description, "examples": examples},
    )


def texts(description, example: str) -> fields.List:
    """A filter that may repeat, each value a text matched exactly."""
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=VALUE_MAX)),
        validate=validate.Length(max=search.MAX_FACET_VALUES),
        metadata={"description": description, "examples": [[example]]},
    )


class ArgumentsSchema(Schema):
    class Meta:
        # Arguments the API does not know are left alone, as a web page would.
        unknown = EXCLUDE

    lang = fields.String(
        validate=validate.OneOf(LOCALES),
        metadata={
            "description": _l(
                "Language of labels and messages; without it, the Accept-Language header's."
            )
        },
    )


class PagingArgs(ArgumentsSchema):
    page = WholeNumber(
        load_default=1,
        validate=validate.Range(min=1, max=search.MAX_PAGE),
        metadata={"description": _l("Page number, from 1.")},
    )
    per_page = WholeNumber(
        load_default=20,
        validate=validate.Range(min=1, max=search.MAX_PER_PAGE),
        metadata={"description": _l("Organisations per page.")},
    )


class FilterArgs(PagingArgs):
    """The facets of search: OR within one (kind=startup&kind=company), AND across them."""

    kind = choices(KINDS, _l("Kind of organisation."), "startup")
    residency = choices(RESIDENCIES, _l("Resident of the technopark or partner."), "resident")
    sector = texts(_l("Sector slug, as /api/v1/sectors lists them."), "fashiontech")
    stage = choices(STAGES, _l("Stage of a startup."), "mvp")
    city = texts(_l("City, as written in the organisations' profiles."), "Moscow")
    looking_for = choices(LOOKING_FOR, _l("What the organisation is looking for."), "investment")
    offers = choices(
        tuple(capabilities.vocabulary().by_slug),
        _l("A canonical capability it offers (data/capabilities.toml)."),
        "dtf-printing",
    )
    needs = choices(
        tuple(capabilities.vocabulary().by_slug),
        _l("A canonical capability it needs (data/capabilities.toml)."),
        "garment-sewing",
    )


class OrganisationListArgs(FilterArgs):
    sort = fields.String(
        load_default="name",
        validate=validate.OneOf(("name", "newest")),
        metadata={"description": _l("Order: by name, or newest published first.")},
    )


class SearchArgs(FilterArgs):
    q = typed(_l("Words to search for, in Russian or English."), ["fashion", "пошив"])
    sort = fields.String(
        load_default="relevance",
        validate=validate.OneOf(search.SORTS),
        metadata={"description": _l("Order: best match, by name, or newest published first.")},
    )


class SuggestArgs(ArgumentsSchema):
    q = typed(_l("The beginning of a name, as typed so far."), ["fas"])
    limit = WholeNumber(
        load_default=8,
        validate=validate.Range(min=1, max=SUGGEST_MAX),
        metadata={"description": _l("How many names at most.")},
    )


class LanguageArgs(ArgumentsSchema):
    """Operations that take no argument but the language."""


class SlugPath(Schema):
    slug = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=SLUG_MAX_LENGTH),
            validate.Regexp(SLUG_PATTERN.pattern.join("^$")),
        ],
        metadata={
            "description": _l("The organisation's slug, as in its page's address."),
            "examples": ["fashion-forward"],
        },
    )


def read(schema: Schema, args: MultiDict) -> dict[str, Any]:
    """The arguments the schema knows, loaded; a 400 problem names each one that is wrong."""
    data: dict[str, Any] = {}
    for name, field in schema.fields.items():
        if name in args:
            data[name] = args.getlist(name) if isinstance(field, fields.List) else args.get(name)
    try:
        return schema.load(data)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {}
        problems = [
            {"parameter": name, "detail": explain(name, schema.fields[name], messages[name])}
            for name in schema.fields
            if name in messages
        ]
        raise Problem(
            400,
            _("Bad request"),
            ngettext(
                "%(num)s argument of the request is not valid.",
                "%(num)s arguments of the request are not valid.",
                len(problems),
            ),
            errors=problems,
        ) from None


def explain(name: str, field: fields.Field, messages: Any) -> str:
    """What the argument must be, as a sentence in the language asked."""
    if isinstance(field, fields.List):
        # A dict: some values are wrong; a list: the argument is repeated too often.
        if not isinstance(messages, dict):
            return ngettext(
                "“%(name)s” may be given at most %(num)s time.",
                "“%(name)s” may be given at most %(num)s times.",
                search.MAX_FACET_VALUES,
                name=name,
            )
        field = field.inner
    for validator in field.validators:
        if isinstance(validator, validate.OneOf):
            allowed = ", ".join(str(choice) for choice in validator.choices)
            return _("“%(name)s” must be one of: %(allowed)s.", name=name, allowed=allowed)
        if isinstance(validator, validate.Range):
            return _(
                "“%(name)s” must be a whole number from %(min)s to %(max)s.",
                name=name,
                min=validator.min,
                max=validator.max,
            )
        if isinstance(validator, validate.Length):
            return _(
                "“%(name)s” must be from %(min)s to %(max)s characters long.",
                name=name,
                min=validator.min or 0,
                max=validator.max,
            )
    return _("“%(name)s” is not valid.", name=name)


def search_query(values: dict[str, Any], default_sort: str) -> search.SearchQuery:
    """A search engine query from loaded arguments, read as the search page reads its own."""
    pairs = [
        (name, value)
        for name, given in values.items()
        for value in (given if isinstance(given, list) else [given])
    ]
    query = search.query_from_args(MultiDict(pairs), per_page=values["per_page"])
    query.sort = values.get("sort", default_sort)
    return query

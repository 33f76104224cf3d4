"""Find a partner: describe a need in words or pick capabilities, get providers with reasons."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from .models import KIND_LABELS, KINDS
from .search import language
from .services import capabilities, parsers, partners

bp = Blueprint("partners", __name__)
QUANTITY_MAX = 10**9
CITY_MAX = 120


def parse_need(args: MultiDict) -> tuple[partners.Need, list[str]]:
    """The need from the address, and a message for each value that was ignored."""
    known = capabilities.vocabulary().by_slug
    errors: list[str] = []
    need = partners.Need(
        text=language.clean_query(args.get("need", "")),
        capabilities=list(dict.fromkeys(s for s in args.getlist("capability")[:20] if s in known)),
        kind=str(args.get("kind")) if args.get("kind") in KINDS else "",
        city=parsers.clean_line(str(args.get("city", ""))[:CITY_MAX]),
        residents_only=args.get("residents") == "1",
    )
    fields = (("quantity", _("Quantity")), ("max_min_order", _("Minimum order at most")))
    for name, label in fields:
        try:
            value = parsers.whole_number(QUANTITY_MAX)((args.get(name) or "")[:40])
        except parsers.Invalid as error:
            errors.append(_("%(field)s: %(message)s", field=label, message=str(error)))
            continue
        setattr(need, name, value)
    return need, errors


@bp.get("/partners")
def find():
    """Find organisations that offer what a need describes, with the reasons for each."""
    need, errors = parse_need(request.args)
    asked = bool(need.text or need.capabilities)
    shortlist = partners.find(need) if asked else None
    page = render_template(
        "public/partners.html",
        need=need,
        errors=errors,
        shortlist=shortlist,
        capability_choices=capabilities.choices(),
        families=capabilities.vocabulary().families,
        vocabulary=capabilities.vocabulary(),
        kinds=[(kind, KIND_LABELS[kind]) for kind in KINDS],
    )
    return page, 400 if errors else 200

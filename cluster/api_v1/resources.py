"""The API's answers as plain data: organisations, pages of them with facets and links,
sectors and suggestions, ready for the schemas in schemas.py to dump."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast

from flask import request, url_for

from .. import browse, search
from ..models import (
    INSTRUMENT_LABELS,
    INVESTOR_TYPE_LABELS,
    KIND_LABELS,
    LOOKING_FOR_LABELS,
    RESIDENCY_LABELS,
    STAGE_LABELS,
    Organisation,
    Sector,
)
from ..services import capabilities
from ..templating import sector_name, website_href

PROGRAMME_PARTS = ("name", "level", "format", "duration")


def absolute(endpoint: str, **values: Any) -> str:
    """The full address of an endpoint (pages in the language of the answer)."""
    return url_for(endpoint, _external=True, **values)


def aware(value: datetime | None) -> datetime | None:
    """A stored time (UTC without a zone) with its zone, so it is written with its offset."""
    return value.replace(tzinfo=UTC) if value is not None else None


def summary(org: Organisation) -> dict[str, Any]:
    """An organisation as lists show it."""
    return {
        "slug": org.slug,
        "name": org.name,
        "name_alt": org.name_alt or "",
        "kind": org.kind,
        "kind_label": str(KIND_LABELS.get(org.kind, org.kind)),
        "residency": org.residency,
        "residency_label": str(RESIDENCY_LABELS.get(org.residency, org.residency)),
        "stage": org.stage or None,
        "stage_label": str(STAGE_LABELS.get(org.stage, org.stage)) if org.stage else None,
        "summary": org.summary or "",
        "summary_alt": org.summary_alt or "",
        "city": org.city or "",
        "sectors": [{"slug": s.slug, "name": sector_name(s)} for s in org.sectors],
        "logo": absolute("uploads.logo", name=org.logo) if org.logo else None,
        "published_at": aware(org.published_at),
        "url": absolute("public.profile", slug=org.slug),
        "api_url": absolute("api_v1.organisation", slug=org.slug),
    }


def organisation(org: Organisation) -> dict[str, Any]:
    """Everything a published organisation's page shows."""
    funding = None
    if org.funding_sought is not None:
        funding = {"amount": org.funding_sought, "currency": org.currency or ""}
    return {
        **summary(org),
        "description": org.description or "",
        "description_alt": org.description_alt or "",
        "tags": list(org.tags or []),
        "capabilities": list(org.capabilities or []),
        "needs": list(org.needs or []),
        "looking_for": [
            {"value": value, "label": str(LOOKING_FOR_LABELS.get(value, value))}
            for value in org.looking_for or []
        ],
        "offers": [{"value": slug, "label": capabilities.label(slug)} for slug in org.offers or []],
        "needs_capabilities": [
            {"value": slug, "label": capabilities.label(slug)}
            for slug in org.needs_capabilities or []
        ],
        "funding_sought": funding,
        "investment": investment(org),
        "equipment": list(org.equipment or []),
        "min_order": org.min_order or "",
        "capacity": org.capacity or "",
        "programmes": [programme(item) for item in org.programmes or []],
        "founded_year": org.founded_year,
        "team_size": org.team_size,
        "address": org.address or "",
        "building": org.building or "",
        "floor": org.floor or "",
        "unit": org.unit or "",
        "website": website_href(org.website) or None,
        "email": org.email or "",
        "phone": org.phone or "",
        "social_links": social_links(org.social_links or []),
        "updated_at": aware(org.updated_at),
        "verified_at": aware(org.verified_at),
    }


def labelled(value: str, labels: Mapping[str, Any]) -> dict[str, str]:
    return {"value": value, "label": str(labels.get(value, value))}


def investment(org: Organisation) -> dict[str, Any] | None:
    """An investor's type, stages, ticket and instruments; None for other kinds."""
    if org.kind != "investor":
        return None
    ticket = None
    if org.ticket_min is not None or org.ticket_max is not None:
        ticket = {"min": org.ticket_min, "max": org.ticket_max, "currency": org.ticket_currency}
    return {
        "type": labelled(org.investor_type, INVESTOR_TYPE_LABELS) if org.investor_type else None,
        "stages": [labelled(stage, STAGE_LABELS) for stage in org.focus_stages or []],
        "ticket": ticket,
        "instruments": [labelled(value, INSTRUMENT_LABELS) for value in org.instruments or []],
    }


def programme(item: Any) -> dict[str, str]:
    """A programme as its four parts; one stored as plain text is its name."""
    if isinstance(item, Mapping):
        return {part: str(item.get(part) or "") for part in PROGRAMME_PARTS}
    return {"name": str(item), "level": "", "format": "", "duration": ""}


def social_links(links: list) -> list[dict[str, str]]:
    """The links that are web addresses, each with its label ("" when none was given)."""
    found = []
    for link in links:
        raw = link.get("url", "") if isinstance(link, Mapping) else link
        label = link.get("label", "") if isinstance(link, Mapping) else ""
        href = website_href(str(raw or ""))
        if href:
            found.append({"label": str(label or ""), "url": href})
    return found


def facets(counts: Mapping[str, Mapping[str, int]]) -> dict[str, list[dict[str, Any]]]:
    """Each facet's values with their labels in the language asked and their counts."""
    labels = browse.search_labels()
    return {
        facet: [
            {"value": value, "label": labels.get(facet, {}).get(value, value), "count": count}
            for value, count in counts.get(facet, {}).items()
        ]
        for facet in search.FACETS
    }


def page_links(page: int, pages: int) -> dict[str, str | None]:
    """This page's address and its neighbours', every other argument kept."""

    def page_url(number: int) -> str:
        args = request.args.to_dict(flat=False)
        args["page"] = [str(number)]
        return absolute(str(request.endpoint), **(request.view_args or {}), **args)

    return {
        "self_": page_url(page),
        "first": page_url(1),
        "last": page_url(pages),
        "prev": page_url(min(page, pages + 1) - 1) if page > 1 else None,
        "next": page_url(page + 1) if page < pages else None,
    }


def link_header(links: Mapping[str, str | None]) -> str:
    """The page links as an RFC 8288 Link header."""
    relations = {"self_": "self", "first": "first", "last": "last", "prev": "prev", "next": "next"}
    return ", ".join(
        f'<{href}>; rel="{relations[name]}"' for name, href in links.items() if href is not None
    )


def result_page(result: search.SearchResult, with_hits: bool) -> dict[str, Any]:
    """A page of results: its organisations (with snippet and score, for a search)."""
    query = result.query
    items = []
    for hit, org in search.with_organisations(result.hits):
        item = summary(cast(Organisation, org))
        if with_hits:
            item.update(snippet=hit.snippet, score=round(hit.score, 4))
        items.append(item)
    pages = result.pages
    return {
        "total": result.total,
        "page": query.page,
        "per_page": query.per_page,
        "pages": pages,
        "items": items,
        "facets": facets(result.facets),
        "links": page_links(query.page, pages),
    }


def sector(item: Sector, count: int) -> dict[str, Any]:
    """A sector with how many published organisations it holds."""
    return {
        "slug": item.slug,
        "name": sector_name(item),
        "name_en": item.name,
        "name_ru": item.name_ru or "",
        "description": item.description or "",
        "organisations": count,
        "url": absolute("public.sector", slug=item.slug),
        "organisations_url": absolute("api_v1.organisations", sector=item.slug),
    }


def capability(
    item: capabilities.Capability, offered: int, needed: int, families: Mapping[str, Any]
) -> dict[str, Any]:
    """A canonical capability with how many published organisations offer and need it;
    `families` by slug, looked up once for the whole list."""
    family = families.get(item.family)
    return {
        "slug": item.slug,
        "name": item.label(),
        "name_en": item.en,
        "name_ru": item.ru,
        "family": item.family,
        "family_name": family.label() if family else item.family,
        "broader": item.broader,
        "offered_by": offered,
        "needed_by": needed,
        "offers_url": absolute("api_v1.organisations", offers=item.slug),
        "needs_url": absolute("api_v1.organisations", needs=item.slug),
    }


def suggestion(item: search.Suggestion) -> dict[str, str]:
    """A name that completes what is typed, with where to find it."""
    return {
        "name": item.name,
        "slug": item.slug,
        "url": absolute("public.profile", slug=item.slug),
        "api_url": absolute("api_v1.organisation", slug=item.slug),
    }

"""What search engines and link previews read from a page: schema.org JSON-LD for a profile
and the Open Graph image of a page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import url_for

from .models import Organisation
from .templating import localized, website_href


def profile_url(org: Organisation) -> str:
    """The full address of the organisation's profile, in the page's language."""
    return url_for("public.profile", slug=org.slug, _external=True)


def logo_url(org: Organisation) -> str:
    """The full address of the organisation's logo, '' without one."""
    return url_for("uploads.logo", name=org.logo, _external=True) if org.logo else ""


def social_urls(org: Organisation) -> list[str]:
    """The organisation's social links that are web addresses, in its order."""
    urls = []
    for link in org.social_links or []:
        href = website_href(str(link.get("url", "") if isinstance(link, Mapping) else link))
        if href and href not in urls:
            urls.append(href)
    return urls


def organisation_json_ld(org: Organisation) -> dict[str, Any]:
    """The schema.org Organization a profile describes; empty properties left out."""
    page = profile_url(org)
    street = ", ".join(part for part in (org.address, org.location) if part)
    address = {"@type": "PostalAddress", "streetAddress": street, "addressLocality": org.city}
    contact = {
        "@type": "ContactPoint",
        "email": org.email,
        "telephone": org.phone,
        "url": website_href(org.website),
    }
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "@id": page + "#organization",
        "mainEntityOfPage": page,
        "name": org.name,
        "alternateName": org.name_alt,
        "description": localized(org, "summary") or localized(org, "description"),
        # Its own website where it has one; the profile stands for it otherwise.
        "url": website_href(org.website) or page,
        "logo": logo_url(org),
        "address": without_empty(address),
        "foundingDate": str(org.founded_year) if org.founded_year else "",
        "contactPoint": without_empty(contact),
        "sameAs": social_urls(org),
    }
    return without_empty(data)


def without_empty(data: dict[str, Any]) -> dict[str, Any]:
    """The mapping without empty values, and without nested objects left with only @type."""
    return {
        key: value
        for key, value in data.items()
        if value and not (isinstance(value, dict) and set(value) == {"@type"})
    }

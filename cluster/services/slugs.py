"""Slugs for organisation URLs: lower-case Latin letters, digits and hyphens."""

from __future__ import annotations

import re
from collections.abc import Container

import sqlalchemy as sa
from slugify import slugify

from ..extensions import db
from ..models import Organisation

# Long enough to stay readable, short enough to leave room for a "-2" suffix.
MAX_DERIVED_LENGTH = 80
SLUG_MAX_LENGTH = 120
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def slugify_name(name: str) -> str:
    """Turn a name into a slug, transliterating Cyrillic ("Калибр" becomes "kalibr")."""
    return slugify(name or "", max_length=MAX_DERIVED_LENGTH, word_boundary=True)


def is_valid_slug(slug: str) -> bool:
    """Whether the text is already a slug as the directory stores it."""
    return len(slug) <= SLUG_MAX_LENGTH and SLUG_PATTERN.fullmatch(slug) is not None


def unique_slug(name: str, taken: Container[str]) -> str:
    """Derive a slug from the name that is not in taken, adding -2, -3 ... when needed."""
    base = slugify_name(name) or "organisation"
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def taken(slug: str, org=None) -> bool:
    """Whether another organisation than `org` has this slug."""
    query = sa.select(Organisation.id).where(Organisation.slug == slug)
    if org is not None and org.id is not None:
        query = query.where(Organisation.id != org.id)
    return db.session.scalar(query) is not None


def derive(name: str) -> str:
    """A free slug made from the name; "organisation-N" for a name without letters to use."""
    # The public form has no slug field, so a name like "★" must still get an address.
    base = slugify_name(name) or "organisation"
    used = set(
        db.session.scalars(sa.select(Organisation.slug).where(Organisation.slug.startswith(base)))
    )
    return unique_slug(name, used)

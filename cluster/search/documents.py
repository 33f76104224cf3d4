"""An organisation as both engines index it: facet values, sort keys and the text to search."""

from __future__ import annotations

import re
from datetime import datetime

from .. import fields
from ..fields import Kind
from ..services import capabilities
from . import language
from .synonyms import expansions as synonyms_of

# Words for each kind, so "manufacturer" or "производитель" finds the kind even when a
# profile's own text never says it.
KIND_WORDS = {
    "startup": "startup стартап",
    "manufacturer": "manufacturer manufacturing производитель производство",
    "education": "education educational institution образование учебное заведение",
    "company": "company компания",
    "investor": "investor investment инвестор инвестиции",
}
# Words for each type of investor, in both languages.
INVESTOR_TYPE_WORDS = {
    "venture_fund": "venture fund venture capital венчурный фонд",
    "business_angel": "business angel angel investor бизнес-ангел ангел",
    "accelerator": "accelerator акселератор",
    "corporate_venture": "corporate venture fund корпоративный венчурный фонд",
    "state": "state support programme grant государственная поддержка программа грант",
}


# A hyphen between two letters or digits, dropped to spell a hyphenated name as one word.
JOINED_RE = re.compile(r"(?<=[^\W_])-(?=[^\W_])")
# Words kept for "did you mean": letters only, long enough to correct (arrays.edits_allowed).
SPELLING_RE = re.compile(r"[^\W\d_]{4,40}")


def _strings(values) -> list[str]:
    return [str(value).strip() for value in values or () if str(value).strip()]


def _programme_text(programme) -> str:
    if isinstance(programme, dict):
        parts = (programme.get(key) for key in ("name", "level", "format", "duration"))
        return " ".join(str(part) for part in parts if part)
    return str(programme or "")


# The columns a document reads besides the searched fields of the spec.
OWN_COLUMNS = ("id", "created_at", "published_at", "version")
# What a document reads of an organisation row: the spec's searched fields (sectors are a
# relationship, read apart) and OWN_COLUMNS.
COLUMNS = (
    *OWN_COLUMNS,
    *(field.name for field in fields.FIELDS if field.searched and field.name != "sectors"),
)


def _value(org, field: fields.Field):
    value = getattr(org, field.name)
    if field.kind is Kind.PROGRAMMES:
        return _strings(_programme_text(programme) for programme in value or ())
    if field.kind in (Kind.LIST, Kind.CHOICES):
        return _strings(value)
    return str(value or "").strip()


def document(org) -> dict:
    """The engine-neutral view of an organisation: what is filtered, sorted and searched.

    Each searched field of the spec under its own name (lists as lists of text), the sectors
    by slug and by name in both languages, and the id, version and creation time.
    """
    sectors = list(org.sectors or ())
    doc = {
        field.name: _value(org, field)
        for field in fields.FIELDS
        if field.searched and field.name != "sectors"
    }
    doc.update(
        id=org.id,
        # "Newest first" is the order of listing: when published, else when created.
        created_at=org.published_at or org.created_at or datetime(1970, 1, 1),
        version=org.version or 0,
        sectors=[sector.slug for sector in sectors],
        sector_names=_strings(name for sector in sectors for name in (sector.name, sector.name_ru)),
    )
    return doc


def joined(name: str) -> str:
    """A name with the hyphens inside it dropped ("Полотно-9" -> "Полотно9"), to find it whole."""
    return JOINED_RE.sub("", name)


def own_names(doc: dict) -> list[str]:
    """The name and the second-language name, each also as one word where hyphenated."""
    # Building a document asks several times; kept in it as the extra text is.
    if "_own_names" not in doc:
        names = [doc["name"], doc["name_alt"]]
        names.extend(joined(name) for name in list(names))
        doc["_own_names"] = tuple(dict.fromkeys(name for name in names if name))
    return list(doc["_own_names"])


def name_variants(doc: dict) -> list[str]:
    """The own names and each spelled in the other alphabet."""
    names = own_names(doc)
    for name in list(names):
        names.extend(language.transliterations(name))
    return list(dict.fromkeys(name for name in names if name))


def snippet_text(doc: dict, needs: bool = True) -> str:
    """Readable text a snippet is cut from: what the organisation says (in either language it
    gave), offers and (unless `needs` is false) needs."""
    parts = [doc["summary"], doc["description"], doc.get("summary_alt"), doc.get("description_alt")]
    for key in ("capabilities", "needs", "programmes", "equipment", "tags"):
        if doc[key] and (needs or key != "needs"):
            parts.append("; ".join(doc[key]))
    return "\n".join(part for part in parts if part)


def own_text(doc: dict) -> str:
    """What the profile says of itself in its own words: its names, its text and what it
    offers, and its city. What it needs is weighed as little as the extra words (extra_text):
    a query for something it only needs must not find it as if it offered it."""
    parts = [*own_names(doc), snippet_text(doc, needs=False), doc["city"]]
    return "\n".join(part for part in parts if part)


def needed_text(doc: dict) -> str:
    """What the organisation needs, in its own words."""
    return "; ".join(doc["needs"])


def offered_labels(doc: dict) -> list[str]:
    """The canonical capabilities it offers, by their labels in both languages."""
    return [
        label for slug in doc.get("offers") or () for label in (
            capabilities.label(slug, "en"), capabilities.label(slug, "ru"))
    ]  # fmt: skip


def extra_text(doc: dict) -> str:
    """What also finds a profile, in words it never wrote: the other alphabet, the sectors'
    and the kind's names in both languages, and synonyms of the cluster's jargon.

    The engines weigh these below the profile's own words. Kept in the document: finding
    the synonyms is the dearest part of building one, and each engine asks more than once.
    """
    if "_extra_text" not in doc:
        doc["_extra_text"] = _extra_text(doc)
    return doc["_extra_text"]


def _extra_text(doc: dict) -> str:
    names = own_names(doc)
    spelled = [v for v in name_variants(doc) if v not in names]
    labels = [
        " ".join(doc["sector_names"]),
        KIND_WORDS.get(doc["kind"], ""),
        INVESTOR_TYPE_WORDS.get(doc.get("investor_type") or "", ""),
    ]
    city = language.transliterations(doc["city"]) if doc["city"] else []
    synonyms = synonyms_of("\n".join([own_text(doc), *labels]))
    parts = (*spelled, *labels, *city, *synonyms, *offered_labels(doc), needed_text(doc))
    return "\n".join(part for part in parts if part)


def search_text(doc: dict) -> str:
    """Everything a query may match: the profile's own words, then the extra ones."""
    return own_text(doc) + "\n" + extra_text(doc)


def spelling_words(doc: dict) -> list[str]:
    """The words, as written and folded, that a mistyped query word may be corrected into.

    Every word a query may match (search_text): the engines keep these for published
    profiles only, so a word of an unpublished one is never suggested.
    """
    return sorted(filter(SPELLING_RE.fullmatch, set(language.words(search_text(doc)))))

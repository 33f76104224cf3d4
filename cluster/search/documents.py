"""An organisation as both engines index it: facet values, sort keys and the text to search."""

from __future__ import annotations

from datetime import datetime

from .. import fields
from ..fields import Kind
from . import language

# Words for each kind, so "manufacturer" or "производитель" finds the kind even when a
# profile's own text never says it.
KIND_WORDS = {
    "startup": "startup стартап",
    "manufacturer": "manufacturer manufacturing производитель производство",
    "education": "education educational institution образование учебное заведение",
    "company": "company компания",
}


def _strings(values) -> list[str]:
    return [str(value).strip() for value in values or () if str(value).strip()]


def _programme_text(programme) -> str:
    if isinstance(programme, dict):
        parts = (programme.get(key) for key in ("name", "level", "format", "duration"))
        return " ".join(str(part) for part in parts if part)
    return str(programme or "")


# The columns a document reads besides the searched fields of the spec.
OWN_COLUMNS = ("id", "created_at", "version")
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
        created_at=org.created_at or datetime(1970, 1, 1),
        version=org.version or 0,
        sectors=[sector.slug for sector in sectors],
        sector_names=_strings(name for sector in sectors for name in (sector.name, sector.name_ru)),
    )
    return doc


def name_variants(doc: dict) -> list[str]:
    """The name, the second-language name and both spelled in the other alphabet."""
    names = [doc["name"], doc["name_alt"]]
    for name in list(names):
        names.extend(language.transliterations(name))
    return list(dict.fromkeys(name for name in names if name))


def snippet_text(doc: dict) -> str:
    """Readable text a snippet is cut from: what the organisation says, offers and needs."""
    parts = [doc["summary"], doc["description"]]
    for key in ("capabilities", "needs", "programmes", "equipment", "tags"):
        if doc[key]:
            parts.append("; ".join(doc[key]))
    return "\n".join(part for part in parts if part)


def search_text(doc: dict) -> str:
    """Everything a query may match, with transliterations and synonyms of the cluster's jargon."""
    city = [doc["city"], *language.transliterations(doc["city"])] if doc["city"] else []
    parts = [
        *name_variants(doc),
        snippet_text(doc),
        " ".join(doc["sector_names"]),
        KIND_WORDS.get(doc["kind"], ""),
        *city,
    ]
    text = "\n".join(part for part in parts if part)
    expansions = language.synonym_expansions(text)
    if expansions:
        text += "\n" + "\n".join(expansions)
    return text

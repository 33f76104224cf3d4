"""An organisation as both engines index it: facet values, sort keys and the text to search."""

from __future__ import annotations

from datetime import datetime

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


def document(org) -> dict:
    """The engine-neutral view of an organisation: what is filtered, sorted and searched."""
    sectors = list(org.sectors or ())
    return {
        "id": org.id,
        "slug": org.slug,
        "name": org.name or "",
        "name_alt": org.name_alt or "",
        "kind": org.kind or "",
        "residency": org.residency or "",
        "status": org.status or "",
        "stage": org.stage or "",
        "city": (org.city or "").strip(),
        "sectors": [sector.slug for sector in sectors],
        "looking_for": _strings(org.looking_for),
        "created_at": org.created_at or datetime(1970, 1, 1),
        "version": org.version or 0,
        "summary": org.summary or "",
        "description": org.description or "",
        "sector_names": _strings(
            name for sector in sectors for name in (sector.name, sector.name_ru)
        ),
        "tags": _strings(org.tags),
        "capabilities": _strings(org.capabilities),
        "needs": _strings(org.needs),
        "programmes": _strings(_programme_text(p) for p in org.programmes or ()),
        "equipment": _strings(org.equipment),
    }


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

"""The Whoosh index's fields, and the fields of one organisation's document."""

from __future__ import annotations

from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, Schema

from .. import documents, language, phonetics
from .analysis import StemmedText, WordText, phrase, text_value

SCHEMA = Schema(
    id=ID(stored=True, unique=True),
    slug=STORED,
    title=STORED,
    summary=STORED,
    body=STORED,
    version=STORED,
    kind=ID(stored=True),
    residency=ID(stored=True),
    status=ID(stored=True),
    stage=ID(stored=True),
    city=ID(stored=True),
    sector=KEYWORD(stored=True, commas=True),
    looking_for=KEYWORD(stored=True, commas=True),
    # Canonical capabilities offered and needed: facets, and what a query naming a capability
    # is also met by (cluster/search/offers.py).
    offers=KEYWORD(stored=True, commas=True),
    needs=KEYWORD(stored=True, commas=True),
    # The profile's own names (boosted in ranking); "text" holds everything a query matches.
    name=StemmedText(),
    name_exact=KEYWORD(commas=True),
    name_words=WordText(),
    text=StemmedText(),
    # Words as written that typos are corrected into: published profiles only.
    spelling=WordText(),
    # The sound keys of the Latin words of the own names (phonetics.py).
    name_sound=WordText(),
    # Names in ICU's root order (Latin first) for the name sort, and in its Russian order
    # (Cyrillic first) for equal scores of a query in Cyrillic.
    name_sort=ID(sortable=True),
    name_sort_ru=ID(sortable=True),
    # Only ever sorted by: a column, no postings.
    created=COLUMN(NumericColumn("q")),
)

# The index field holding each facet (the facet names are the interface's), and the status.
SINGLE_VALUED = ("kind", "residency", "status", "stage", "city")
MULTI_VALUED = {
    "sector": "sectors",
    "looking_for": "looking_for",
    "offers": "offers",
    "needs": "needs_capabilities",
}


def index_fields(doc: dict) -> dict:
    """The Whoosh fields of one document (see documents.document)."""
    names = documents.name_variants(doc)
    own = documents.own_names(doc)
    fields = {
        "id": str(doc["id"]),
        "slug": doc["slug"],
        "title": doc["name"],
        "summary": doc["summary"],
        "body": documents.snippet_text(doc),
        "version": doc["version"],
        "name": " ".join(own),
        "name_words": " ".join(names),
        "text": text_value(documents.own_text(doc), documents.extra_text(doc)),
        "name_sort": language.sort_key(doc["name"]) or " ",
        "name_sort_ru": language.sort_key(doc["name"], cyrillic_first=True) or " ",
        "created": int(doc["created_at"].timestamp()),
    }
    exact = [words for words in (phrase(name) for name in names) if words]
    if exact:
        fields["name_exact"] = ",".join(exact)
    if doc["status"] == "published":
        fields["spelling"] = " ".join(documents.spelling_words(doc))
    sounds = dict.fromkeys(
        key for word in language.words(" ".join(own)) if (key := phonetics.english_key(word))
    )
    if sounds:
        fields["name_sound"] = " ".join(sounds)
    for facet in SINGLE_VALUED:
        if doc[facet]:
            fields[facet] = doc[facet]
    for facet, key in MULTI_VALUED.items():
        values = [value.replace(",", " ") for value in doc[key]]
        if values:
            fields[facet] = ",".join(values)
    return fields

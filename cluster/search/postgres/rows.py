"""The search_documents rows: one per organisation, written by UPSERT or a rebuild (rebuilding.py).

The tsvector is made here, from the terms Python makes of the text (terms.py: dictionary
lemmas, Snowball stems, numbers), with a position and a weight for each: A the profile's own
names, B its summary, capabilities and tags, C the rest of its own text, D what reaches it only
through a transliteration, a synonym, a sector's or a kind's name, and the sound keys of its
Latin name words. PostgreSQL's own parser would read "Полотно-9" as "полотн" and "-9", and
neither engine would then read words as the other does. Every write runs in a transaction of
its own, after the organisation's own commit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from itertools import islice

import sqlalchemy as sa

from ...extensions import db
from .. import documents, language, offers, phonetics, terms
from .facet_table import KEY_SEPARATOR

BATCH = 1000
# Sound keys are lexemes of their own: no term of a word starts with this.
SOUND_PREFIX = "~"
# PostgreSQL keeps at most 256 positions of a lexeme, numbered up to 16,383.
MAX_POSITIONS = 256
MAX_POSITION = 16383

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A lexeme of a tsvector literal as tsvector() writes it: quoted, no quote inside.
LEXEME = re.compile(r"'([^']*)'")


def clean_text(text: str | None) -> str:
    """Text PostgreSQL accepts: no NUL or control characters, no marker characters."""
    return CONTROL.sub(" ", text or "")


def lexemes(tsv: str) -> set[str]:
    """The lexemes of a tsvector literal made here (document_row's "tsv")."""
    return set(LEXEME.findall(tsv))


def index(orgs: Iterable) -> None:
    """Add or replace these organisations' rows, in one transaction."""
    rows = document_rows(list(orgs))
    if not rows:
        return
    with db.engine.begin() as conn:
        write(conn, rows)


def remove(ids: Iterable[int]) -> None:
    """Delete the rows of these organisation ids."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        return
    with db.engine.begin() as conn:
        conn.execute(
            sa.text("DELETE FROM search_documents WHERE organisation_id = ANY(:ids)"),
            {"ids": ids},
        )


def document_rows(orgs: list) -> list[dict]:
    """The rows of a batch of organisations (document_row), in a forked process or here."""
    return [document_row(org) for org in orgs]


def write(conn, rows: list[dict]) -> None:
    """Upsert these rows (document_row) and add their words to the vocabulary."""
    rows.sort(key=lambda row: row["organisation_id"])
    terms = sorted({term for row in rows for term in row.pop("terms")})
    # Sorted, so that two writers never wait on each other's terms in opposite order.
    conn.execute(
        sa.text(
            "INSERT INTO search_terms (term) SELECT unnest(CAST(:terms AS text[])) "
            "ON CONFLICT DO NOTHING"
        ),
        {"terms": terms},
    )
    # Last: its trigger locks the generation row until this transaction commits, and a
    # writer holding it must not then wait on a rebuild's terms.
    conn.execute(UPSERT, {"rows": json.dumps(rows, default=str)})


def batched(items: Iterable, size: int):
    items = iter(items)
    while batch := list(islice(items, size)):
        yield batch


UPSERT = sa.text(
    """
    INSERT INTO search_documents (
        organisation_id, version, slug, status, kind, residency, stage, city, sectors,
        looking_for, sector_key, looking_for_key, offers, needs, offers_key, needs_key, name,
        name_alt, names, name_phrases, summary, body, created_at, tsv)
    SELECT r.organisation_id, r.version, r.slug, r.status, r.kind, r.residency, r.stage,
           r.city, r.sectors, r.looking_for, r.sector_key, r.looking_for_key, r.offers,
           r.needs, r.offers_key, r.needs_key, r.name, r.name_alt, r.names, r.name_phrases,
           r.summary, r.body, r.created_at, CAST(r.tsv AS tsvector)
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
        organisation_id integer, version integer, slug text, status text, kind text,
        residency text, stage text, city text, sectors text[], looking_for text[],
        sector_key text, looking_for_key text, offers text[], needs text[], offers_key text,
        needs_key text, name text, name_alt text, names text, name_phrases text[],
        summary text, body text, created_at timestamp, tsv text)
    -- An organisation deleted meanwhile is not indexed again.
    JOIN organisations AS o ON o.id = r.organisation_id
    ON CONFLICT (organisation_id) DO UPDATE SET
        version = excluded.version, slug = excluded.slug, status = excluded.status,
        kind = excluded.kind, residency = excluded.residency, stage = excluded.stage,
        city = excluded.city, sectors = excluded.sectors, looking_for = excluded.looking_for,
        sector_key = excluded.sector_key, looking_for_key = excluded.looking_for_key,
        offers = excluded.offers, needs = excluded.needs, offers_key = excluded.offers_key,
        needs_key = excluded.needs_key, name = excluded.name, name_alt = excluded.name_alt,
        names = excluded.names, name_phrases = excluded.name_phrases,
        summary = excluded.summary, body = excluded.body, created_at = excluded.created_at,
        tsv = excluded.tsv
    -- A slower writer carrying an older version never overwrites a newer one.
    WHERE search_documents.version <= excluded.version
    """
)


def tsvector(parts: list[tuple[str, str]]) -> str:
    """A tsvector literal of (weight, text) parts: each term at its word's position."""
    places: dict[str, list[str]] = {}
    position = 0
    for weight, text in parts:
        for word in language.WORD_RE.findall(text):
            position = min(position + 1, MAX_POSITION)
            for term in terms.word_terms(word):
                found = places.setdefault(term, [])
                if len(found) < MAX_POSITIONS:
                    found.append(f"{position}{weight}")
    return " ".join(f"'{term}':{','.join(found)}" for term, found in places.items())


def sound_keys(names: list[str]) -> str:
    """The sound keys of the Latin words of these names, as lexemes (see phonetics.py)."""
    keys = (phonetics.english_key(word) for word in language.words(" ".join(names)))
    return " ".join(dict.fromkeys(f"'{SOUND_PREFIX}{key.lower()}'" for key in keys if key))


def name_phrases(*names: str) -> list[str]:
    """Each name's folded words joined by spaces, and again with its hyphens dropped: ranking
    gives a query spelling one of them the exact-name bonus (hits.py)."""
    found = (
        " ".join(language.words(form)) for name in names for form in (name, name.replace("-", ""))
    )
    return list(dict.fromkeys(phrase for phrase in found if phrase))


def document_row(org) -> dict:
    """One search_documents row, and the words it adds to the vocabulary, for an organisation."""
    doc = documents.document(org)
    own = documents.own_names(doc)
    strong = [doc["summary"], doc["summary_alt"], *doc["capabilities"], *doc["tags"]]
    rest = [
        doc["description"],
        doc["description_alt"],
        *doc["programmes"],
        *doc["equipment"],
        doc["city"],
    ]
    vector = tsvector(
        [
            ("A", "\n".join(own)),
            ("B", "\n".join(strong)),
            ("C", "\n".join(rest)),
            ("D", documents.extra_text(doc)),
        ]
    )
    sounds = sound_keys(own)
    # What it offers, as lexemes of their own (offers.py): a query naming a capability meets
    # them. What it needs is read in the D part (documents.extra_text) and nowhere else.
    offered = " ".join(f"'{offers.OFFER_PREFIX}{slug}'" for slug in doc["offers"])
    sounds = " ".join(part for part in (sounds, offered) if part)
    published = doc["status"] == "published"
    return {
        "organisation_id": doc["id"],
        "version": doc["version"],
        "slug": doc["slug"],
        "status": doc["status"],
        "kind": doc["kind"],
        "residency": doc["residency"],
        "stage": doc["stage"] or None,
        "city": clean_text(doc["city"]),
        "sectors": doc["sectors"],
        "looking_for": doc["looking_for"],
        "sector_key": KEY_SEPARATOR.join(sorted(set(doc["sectors"]))),
        "looking_for_key": KEY_SEPARATOR.join(sorted(set(doc["looking_for"]))),
        "offers": doc["offers"],
        "needs": doc["needs_capabilities"],
        "offers_key": KEY_SEPARATOR.join(sorted(set(doc["offers"]))),
        "needs_key": KEY_SEPARATOR.join(sorted(set(doc["needs_capabilities"]))),
        "name": clean_text(doc["name"]),
        "name_alt": clean_text(doc["name_alt"]),
        "names": clean_text(" ".join(documents.name_variants(doc))),
        "name_phrases": name_phrases(doc["name"], doc["name_alt"]),
        "summary": clean_text(doc["summary"]),
        "body": clean_text(documents.snippet_text(doc)),
        "created_at": doc["created_at"].isoformat(),
        "tsv": f"{vector} {sounds}" if sounds else vector,
        # Only published words may ever be suggested (planning.correct).
        "terms": set(documents.spelling_words(doc)) if published else set(),
    }

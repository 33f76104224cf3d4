"""The search_documents rows: one per organisation, written by UPSERT or a whole rebuild.

The text configuration is `russian`, whose parser sends Cyrillic words to the Russian Snowball
stemmer and Latin words to the English one, so one tsvector serves both languages. Every write
runs in a transaction of its own, after the organisation's own commit.
"""

from __future__ import annotations

import json
import queue
import re
import threading
from collections.abc import Callable, Iterable
from itertools import islice

import sqlalchemy as sa

from ...extensions import db
from .. import documents, language
from .facet_table import KEY_SEPARATOR

CONFIG = "russian"
# ts_headline wraps matches in these (hits.py); they are stripped from stored text, so after
# escaping the snippet they can only be our own markers.
START, STOP = "\ue000", "\ue001"
BATCH = 1000

# Words kept in the vocabulary for "did you mean": letters only, neither tiny nor absurd.
TERM = re.compile(r"[^\W\d_]{3,40}")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")


def clean_text(text: str | None) -> str:
    """Text PostgreSQL accepts: no NUL or control characters, no marker characters."""
    return CONTROL.sub(" ", text or "")


def index(orgs: Iterable) -> None:
    """Add or replace these organisations' rows, in one transaction."""
    rows = [document_row(org) for org in orgs]
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


def rebuild(orgs: Iterable, progress: Callable[[int], None] | None = None) -> int:
    """Replace every row with those of these organisations; return how many were written."""
    # One transaction: readers keep the old rows until the new ones are committed.
    # Documents are built here while a second thread writes the previous batch, so the
    # database's to_tsvector work and Python's document work overlap.
    done = 0
    with db.engine.begin() as conn:
        # The generation moves once, as the rebuild commits (see the search_state migration).
        conn.execute(sa.text("SET LOCAL cluster.search_rebuild = 'on'"))
        conn.execute(sa.text("DELETE FROM search_documents"))
        conn.execute(sa.text("DELETE FROM search_terms"))
        batches: queue.Queue = queue.Queue(maxsize=2)
        failure: list[BaseException] = []

        def write_batches() -> None:
            while (batch := batches.get()) is not None:
                if not failure:
                    try:
                        write(conn, batch)
                    except BaseException as error:  # noqa: BLE001 - re-raised by the building thread
                        failure.append(error)

        writer = threading.Thread(target=write_batches, name="search-rebuild-writer")
        writer.start()
        try:
            for batch in batched(orgs, BATCH):
                if failure:
                    break
                batches.put([document_row(org) for org in batch])
                done += len(batch)
                if progress:
                    progress(done)
        finally:
            batches.put(None)
            writer.join()
        if failure:
            raise failure[0]
        conn.execute(sa.text("ANALYZE search_documents"))
        conn.execute(sa.text("ANALYZE search_terms"))
        conn.execute(sa.text("UPDATE search_state SET generation = generation + 1"))
    return done


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
    f"""
    INSERT INTO search_documents (
        organisation_id, version, slug, status, kind, residency, stage, city, sectors,
        looking_for, sector_key, looking_for_key, name, name_alt, names, summary, body,
        created_at, tsv)
    SELECT r.organisation_id, r.version, r.slug, r.status, r.kind, r.residency, r.stage,
           r.city, r.sectors, r.looking_for, r.sector_key, r.looking_for_key, r.name,
           r.name_alt, r.names, r.summary, r.body, r.created_at,
           setweight(to_tsvector('{CONFIG}', r.a), 'A')
           || setweight(to_tsvector('{CONFIG}', r.b), 'B')
           || setweight(to_tsvector('{CONFIG}', r.c), 'C')
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
        organisation_id integer, version integer, slug text, status text, kind text,
        residency text, stage text, city text, sectors text[], looking_for text[],
        sector_key text, looking_for_key text, name text,
        name_alt text, names text, summary text, body text, created_at timestamp,
        a text, b text, c text)
    -- An organisation deleted meanwhile is not indexed again.
    JOIN organisations AS o ON o.id = r.organisation_id
    ON CONFLICT (organisation_id) DO UPDATE SET
        version = excluded.version, slug = excluded.slug, status = excluded.status,
        kind = excluded.kind, residency = excluded.residency, stage = excluded.stage,
        city = excluded.city, sectors = excluded.sectors, looking_for = excluded.looking_for,
        sector_key = excluded.sector_key, looking_for_key = excluded.looking_for_key,
        name = excluded.name, name_alt = excluded.name_alt, names = excluded.names,
        summary = excluded.summary, body = excluded.body, created_at = excluded.created_at,
        tsv = excluded.tsv
    -- A slower writer carrying an older version never overwrites a newer one.
    WHERE search_documents.version <= excluded.version
    """
)


def document_row(org) -> dict:
    """One search_documents row, and the words it adds to the vocabulary, for an organisation."""
    doc = documents.document(org)
    names = documents.name_variants(doc)
    strong = [doc["summary"], *doc["capabilities"], *doc["sector_names"], *doc["tags"]]
    # Weight C is everything a query may match (names and strong text again, the rest, kind
    # words, synonyms): the same text the Whoosh engine searches, so both find the same.
    a = clean_text("\n".join(part for part in names if part))
    b = clean_text("\n".join(part for part in strong if part))
    c = clean_text(documents.search_text(doc))
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
        "name": clean_text(doc["name"]),
        "name_alt": clean_text(doc["name_alt"]),
        "names": a.replace("\n", " "),
        "summary": clean_text(doc["summary"]),
        "body": clean_text(documents.snippet_text(doc)),
        "created_at": doc["created_at"].isoformat(),
        "a": a,
        "b": b,
        "c": c,
        "terms": {word for word in set(language.words(f"{a} {b} {c}")) if TERM.fullmatch(word)},
    }

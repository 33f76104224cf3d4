"""PostgreSQL full-text engine: a search_documents table with a weighted tsvector, GIN and pg_trgm.

The text configuration is `russian`, whose parser sends Cyrillic words to the Russian Snowball
stemmer and Latin words to the English one, so one tsvector serves both languages. Every write
runs in a transaction of its own, after the organisation's own commit.
"""

from __future__ import annotations

import html
import json
import queue
import re
import threading
from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

import numpy as np
import sqlalchemy as sa
from rapidfuzz.distance import Levenshtein

from ..extensions import db
from . import arrays, documents, language
from .base import FACETS, Hit, SearchQuery, SearchResult, Suggestion
from .postgres_facets import KEY_SEPARATOR, FacetTable

CONFIG = "russian"
# ts_headline wraps matches in these; they are stripped from stored text, so after escaping the
# snippet they can only be our own markers.
START, STOP = "\ue000", "\ue001"
HEADLINE_OPTIONS = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2"
BATCH = 1000
# Beyond this many matches, relevance ranks a pool of candidates rather than every match.
RANK_POOL = 500
# How many parsed query texts a process keeps.
PARSED_KEPT = 5000

# Letters and digits; a token is always safe to place inside to_tsquery's syntax.
TOKEN = re.compile(r"[^\W_]+")
# Words kept in the vocabulary for "did you mean": letters only, neither tiny nor absurd.
TERM = re.compile(r"[^\W\d_]{3,40}")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")


def clean_text(text: str | None) -> str:
    """Text PostgreSQL accepts: no NUL or control characters, no marker characters."""
    return CONTROL.sub(" ", text or "")


class PostgresBackend:
    """The SearchBackend kept in the app's own PostgreSQL database."""

    def __init__(self) -> None:
        # The facet values of the newest generation this process has read (postgres_facets).
        self._table: FacetTable | None = None
        self._loading = threading.Lock()
        # What the text search configuration made of query texts (it does not change while
        # the server runs): stop words and tsqueries, a round trip each otherwise.
        self._parsed = arrays.Remembered(PARSED_KEPT)

    def _remember(self, key: tuple, compute: Callable[[], object]):
        """A value computed once per process for a key, the least recently used forgotten."""
        return self._parsed.get(key, compute)

    # -- writing ---------------------------------------------------------------------------

    def index(self, orgs: Iterable) -> None:
        rows = [document_row(org) for org in orgs]
        if not rows:
            return
        with db.engine.begin() as conn:
            self._write(conn, rows)

    def remove(self, ids: Iterable[int]) -> None:
        ids = sorted({int(i) for i in ids})
        if not ids:
            return
        with db.engine.begin() as conn:
            conn.execute(
                sa.text("DELETE FROM search_documents WHERE organisation_id = ANY(:ids)"),
                {"ids": ids},
            )

    def rebuild(self, orgs: Iterable, progress: Callable[[int], None] | None = None) -> int:
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
                            self._write(conn, batch)
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

    def _write(self, conn, rows: list[dict]) -> None:
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

    # -- reading ---------------------------------------------------------------------------

    def indexed_versions(self) -> dict[int, int]:
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT organisation_id, version FROM search_documents"))
            return {row[0]: row[1] for row in rows}

    def count(self) -> int:
        with db.engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM search_documents")).scalar_one()

    def search(self, query: SearchQuery) -> SearchResult:
        text = language.clean_query(query.text)
        with db.engine.connect() as conn:
            # One snapshot for every statement: the generation read first then stands for
            # exactly the rows the later statements see.
            conn.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            table = self._facet_table(conn)
            allowed = table.statuses(query.statuses)
            tsquery, suggestion, matched = self._plan(conn, text, table, allowed)
            if matched is None:
                matched = allowed
            result = self._search(conn, query, table, tsquery, matched, text)
            result.suggestion = suggestion
            return result

    def _facet_table(self, conn) -> FacetTable:
        """This snapshot's facet values: kept from an earlier search unless the table changed."""
        generation = conn.execute(sa.text("SELECT generation FROM search_state")).scalar_one()
        table = self._table
        if table is not None and table.generation == generation:
            return table
        with self._loading:
            table = self._table
            if table is None or table.generation != generation:
                table = FacetTable(conn, generation)
                # A search still on an older snapshot uses its own table but keeps the newest.
                if self._table is None or generation > self._table.generation:
                    self._table = table
        return table

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        prefix = language.clean_query(prefix)
        if not prefix:
            return []
        like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    """
                    SELECT name, slug FROM search_documents
                    WHERE status = 'published'
                      AND (names ILIKE :start OR names ILIKE :word)
                    ORDER BY name ILIKE :start DESC, lower(name) COLLATE "C", organisation_id
                    LIMIT :limit
                    """
                ),
                {"start": like + "%", "word": "% " + like + "%", "limit": limit},
            )
            return [Suggestion(name=row.name, slug=row.slug) for row in rows]

    def similar(self, org, limit: int = 5) -> list[Hit]:
        with db.engine.connect() as conn:
            row = conn.execute(
                sa.text(
                    "SELECT sectors, array_to_string(tsvector_to_array(ts_filter(tsv, '{a,b}')),"
                    " ' ') AS lexemes FROM search_documents WHERE organisation_id = :id"
                ),
                {"id": org.id},
            ).first()
            if row is None:
                return []
            lexemes = sorted(set(TOKEN.findall(row.lexemes)))[:64]
            if not lexemes and not row.sectors:
                return []
            # Lexemes are already stems: the simple configuration keeps them as they are.
            tsquery = " | ".join(lexemes) or "''"
            rows = conn.execute(
                sa.text(
                    """
                    WITH pool AS (
                        -- Rank a bounded pool: sharing a sector or a word is common at scale.
                        SELECT organisation_id FROM search_documents, to_tsquery('simple', :q) q
                        WHERE status = 'published' AND organisation_id <> :id
                          AND (tsv @@ q OR sectors && CAST(:sectors AS text[]))
                        LIMIT 2000
                    )
                    SELECT d.organisation_id, slug, name, kind, summary,
                           ts_rank(tsv, q) + 0.2 * cardinality(ARRAY(
                               SELECT unnest(sectors)
                               INTERSECT SELECT unnest(CAST(:sectors AS text[]))
                           )) AS score
                    FROM search_documents AS d JOIN pool USING (organisation_id),
                         to_tsquery('simple', :q) AS q
                    ORDER BY score DESC, d.organisation_id
                    LIMIT :limit
                    """
                ),
                {"q": tsquery, "sectors": list(row.sectors), "id": org.id, "limit": limit},
            )
            return [
                Hit(
                    id=r.organisation_id,
                    slug=r.slug,
                    name=r.name,
                    kind=r.kind,
                    summary=r.summary,
                    snippet=html.escape(r.summary),
                    score=float(r.score),
                )
                for r in rows
            ]

    # -- the parts of a search -------------------------------------------------------------

    def _plan(self, conn, text: str, table: FacetTable, allowed: np.ndarray):
        """The tsquery to run, the "did you mean" text and the rows it matches.

        Every word must match; if nothing does, each unknown word is replaced by the closest
        known one (and suggested), and then any one word may match. A tsquery of None lists
        everything (and its rows are None: every allowed one).
        """
        words = language.query_words(text)
        if words:
            # The GIN index finds matches without reading each tsvector; the planner would
            # rather scan the table and test every row, which costs ten times more (and reads
            # the whole table when nothing matches).
            conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
            # Stop words are dropped before anything else, even a last word being typed.
            stop = self._remember(
                ("stop", *words),
                lambda: set(
                    conn.execute(
                        sa.text(
                            "SELECT w FROM unnest(CAST(:words AS text[])) AS w"
                            " WHERE numnode(plainto_tsquery(:config, w)) = 0"
                        ),
                        {"words": words, "config": CONFIG},
                    ).scalars()
                ),
            )
            words = [word for word in words if word not in stop]
        typing = not text[-1:].isspace()
        strict = self._tsquery(conn, words, typing, " & ")
        if not strict:
            return None, None, None  # nothing but stop words and symbols
        matched = self._matching(conn, strict, table, allowed)
        if matched.any():
            return strict, None, matched
        # The vocabulary changes only with the documents: corrections keep for a generation.
        corrected = table.remember(("correct", *words), lambda: self._correct(conn, words))
        tries = []
        if corrected:
            tries.append(self._tsquery(conn, corrected, typing, " & "))
        if len(words) > 1:
            tries.append(self._tsquery(conn, words, typing, " | "))
            if corrected:
                tries.append(self._tsquery(conn, corrected, typing, " | "))
        suggestion = " ".join(corrected) if corrected else None
        for tsquery in tries:
            if tsquery:
                rows = self._matching(conn, tsquery, table, allowed)
                if rows.any():
                    return tsquery, suggestion, rows
        return strict, suggestion, matched

    def _matching(self, conn, tsquery: str, table: FacetTable, allowed: np.ndarray) -> np.ndarray:
        """The allowed rows whose text matches (postgres_facets keeps each term's rows)."""
        return table.matching(conn, tsquery) & allowed

    def _tsquery(self, conn, words: list[str], typing: bool, operator: str) -> str:
        """The tsquery (as text) joining the words; empty when they are all stop words.

        Words are letters and digits only (language.query_words), so they are safe inside
        to_tsquery's syntax; each may match in either alphabet.
        """
        parts = []
        for position, word in enumerate(words):
            # Russian stems keep their suffixes apart (текстиль/текстильное), so Cyrillic words
            # match as prefixes of stems; so does the last word, which may still be typed.
            last = typing and position == len(words) - 1
            spellings = [word, *(v for v in language.transliterations(word) if TOKEN.fullmatch(v))]
            alternatives = [
                f"{spelling}:*"
                if (last and len(spelling) >= 2)
                or (language.has_cyrillic(spelling) and len(spelling) >= 4)
                else spelling
                for spelling in spellings
            ]
            parts.append("(" + " | ".join(alternatives) + ")")
        if not parts:
            return ""
        text = operator.join(parts)
        return self._remember(
            ("tsquery", text),
            lambda: conn.execute(
                sa.text("SELECT CAST(to_tsquery(:config, :text) AS text)"),
                {"config": CONFIG, "text": text},
            ).scalar_one(),
        )

    def _correct(self, conn, words: list[str]) -> list[str] | None:
        """The words with each unknown one replaced by the closest known one, if any changed."""
        known = set(
            conn.execute(
                sa.text("SELECT term FROM search_terms WHERE term = ANY(CAST(:words AS text[]))"),
                {"words": words},
            ).scalars()
        )
        changed = False
        corrected = []
        for word in words:
            # The vocabulary holds words of letters only: a number is never corrected.
            limit = arrays.edits_allowed(word)
            if limit and word not in known and not word.isdigit():
                # Trigrams find candidates through the index; the edit distance decides, with
                # the same limits as the Whoosh engine.
                candidates = conn.execute(
                    sa.text(
                        "SELECT term FROM search_terms WHERE term % :word"
                        " ORDER BY term <-> :word, term LIMIT 20"
                    ),
                    {"word": word},
                ).scalars()
                scored = [(Levenshtein.distance(word, c), n, c) for n, c in enumerate(candidates)]
                scored = [item for item in scored if item[0] <= limit]
                if scored:
                    word, changed = min(scored)[2], True
            corrected.append(word)
        return corrected if changed else None

    def _search(
        self, conn, query: SearchQuery, table: FacetTable, tsquery, matched, text: str
    ) -> SearchResult:
        filters = {
            facet: sorted({str(v) for v in values if v not in (None, "")})
            for facet, values in (query.filters or {}).items()
            if facet in FACETS
        }
        filters = {facet: values for facet, values in filters.items() if values}
        if tsquery is not None and not tsquery:
            return SearchResult(query=query, total=0, hits=[], facets={f: {} for f in FACETS})
        # Each facet counted over the rows that pass every other facet's selection (OR within
        # a facet, AND across facets).
        final, facets = arrays.facet_counts(table.facets, matched, filters)
        total = int(final.sum())
        for facet, values in filters.items():
            # This engine lists a selected value that nothing matches, with 0.
            counts = {value: 0 for value in values} | facets[facet]
            facets[facet] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

        per_page = max(1, min(int(query.per_page or 20), 100))
        page = max(1, int(query.page or 1))
        offset = (page - 1) * per_page
        hits: list[Hit] = []
        if total and offset < total:
            hits = self._page(conn, table, query.sort, final, text, tsquery, offset, per_page)
        return SearchResult(query=query, total=total, hits=hits, facets=facets)

    def _page(self, conn, table, sort, final, text, tsquery, offset, limit) -> list[Hit]:
        rows: Any = np.flatnonzero(final)
        params: dict = {"limit": limit, "offset": offset}
        if sort in ("name", "newest") or (sort == "relevance" and tsquery is None):
            # Positions in the order, read once per generation, pick the page among the rows.
            places = table.positions(conn, "newest" if sort == "newest" else "name")
            page_rows = arrays.page_by_position(rows, places, offset, offset + limit)
            page_ids = table.ids[page_rows].tolist()
            found = {
                row.organisation_id: row
                for row in conn.execute(
                    sa.text(
                        "SELECT organisation_id, slug, name, kind, summary, 0.0 AS score"
                        " FROM search_documents WHERE organisation_id = ANY(:ids)"
                    ),
                    {"ids": page_ids},
                )
            }
            rows = [found[i] for i in page_ids if i in found]
        else:
            ids = table.ids[rows]
            if len(ids) > RANK_POOL and offset + limit <= RANK_POOL:
                # Ranking reads every matching tsvector and is nearly all of a query's cost:
                # rank a pool of candidates (an exact name always among them), not every match.
                exact = np.fromiter(
                    conn.execute(
                        sa.text(
                            "SELECT organisation_id FROM search_documents"
                            ' WHERE lower(name) COLLATE "C" = :exact'
                        ),
                        {"exact": text.lower()},
                    ).scalars(),
                    np.int64,
                )
                ids = np.union1d(ids[:RANK_POOL], exact[np.isin(exact, ids)])
            # As one array literal: psycopg adapting hundreds of ints one by one took longer
            # than ranking them.
            ids_literal = "{" + ",".join(map(str, ids.tolist())) + "}"
            params.update(ids=ids_literal, q=tsquery, exact=text.lower())
            rows = conn.execute(
                sa.text(
                    """
                    SELECT organisation_id, slug, name, kind, summary,
                           ts_rank_cd(tsv, CAST(:q AS tsquery))
                           + CASE WHEN lower(name) = :exact OR lower(name_alt) = :exact
                                  THEN 10 ELSE 0 END AS score
                    FROM search_documents
                    WHERE organisation_id = ANY(CAST(:ids AS integer[]))
                    ORDER BY score DESC, lower(name) COLLATE "C", organisation_id
                    LIMIT :limit OFFSET :offset
                    """
                ),
                params,
            ).all()
        snippets: dict[int, str] = {}
        if tsquery:
            for row in conn.execute(
                sa.text(
                    "SELECT organisation_id, ts_headline(:config, body, CAST(:q AS tsquery), "
                    ":options) FROM search_documents WHERE organisation_id = ANY(:ids)"
                ),
                {
                    "config": CONFIG,
                    "q": tsquery,
                    "options": HEADLINE_OPTIONS,
                    "ids": [row.organisation_id for row in rows],
                },
            ):
                if START in row[1]:
                    snippets[row[0]] = mark(row[1])
        return [
            Hit(
                id=row.organisation_id,
                slug=row.slug,
                name=row.name,
                kind=row.kind,
                summary=row.summary,
                snippet=snippets.get(row.organisation_id) or html.escape(row.summary),
                score=float(row.score),
            )
            for row in rows
        ]


def batched(items: Iterable, size: int):
    items = iter(items)
    while batch := list(islice(items, size)):
        yield batch


def mark(headline: str) -> str:
    """Escape a ts_headline result, then turn its markers into <mark> tags."""
    return html.escape(headline).replace(START, "<mark>").replace(STOP, "</mark>")


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

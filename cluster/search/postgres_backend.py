"""PostgreSQL full-text engine: a search_documents table with a weighted tsvector, GIN and pg_trgm.

The text configuration is `russian`, whose parser sends Cyrillic words to the Russian Snowball
stemmer and Latin words to the English one, so one tsvector serves both languages. Every write
runs in a transaction of its own, after the organisation's own commit.
"""

from __future__ import annotations

import html
import json
import re
from typing import Callable, Iterable

import sqlalchemy as sa

from ..extensions import db
from . import documents, language
from .base import FACETS, Hit, SearchQuery, SearchResult, Suggestion

CONFIG = "russian"
# ts_headline wraps matches in these; they are stripped from stored text, so after escaping the
# snippet they can only be our own markers.
START, STOP = "\ue000", "\ue001"
HEADLINE_OPTIONS = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2"
BATCH = 1000
# A page of a few hundred candidates is ranked; beyond that, matches in names and summaries
# (weights A and B) are ranked first and the rest only if they are too few.
SCALAR_FACETS = {"kind": "kind", "residency": "residency", "stage": "stage", "city": "city"}
ARRAY_FACETS = {"sector": "sectors", "looking_for": "looking_for"}

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
        done = 0
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM search_documents"))
            conn.execute(sa.text("DELETE FROM search_terms"))
            batch = []
            for org in orgs:
                batch.append(document_row(org))
                if len(batch) >= BATCH:
                    self._write(conn, batch)
                    done += len(batch)
                    batch = []
                    if progress:
                        progress(done)
            if batch:
                self._write(conn, batch)
                done += len(batch)
                if progress:
                    progress(done)
            conn.execute(sa.text("ANALYZE search_documents"))
            conn.execute(sa.text("ANALYZE search_terms"))
        return done

    def _write(self, conn, rows: list[dict]) -> None:
        rows.sort(key=lambda row: row["organisation_id"])
        terms = sorted({term for row in rows for term in row.pop("terms")})
        conn.execute(UPSERT, {"rows": json.dumps(rows, default=str)})
        # Sorted, so that two writers never wait on each other's terms in opposite order.
        conn.execute(
            sa.text(
                "INSERT INTO search_terms (term) SELECT unnest(CAST(:terms AS text[])) "
                "ON CONFLICT DO NOTHING"
            ),
            {"terms": terms},
        )

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
            tsquery = self._tsquery(conn, text)
            result = self._search(conn, query, tsquery, text)
            if result.total or tsquery is None or not query.statuses:
                return result
            # Nothing matched: try the closest known spelling of each word.
            corrected = self._correct(conn, text)
            if corrected:
                retry = self._search(conn, query, self._tsquery(conn, corrected), corrected)
                retry.query = query
                retry.suggestion = corrected
                if retry.total:
                    return retry
                result.suggestion = corrected
            return result

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
                    SELECT organisation_id, slug, name, kind, summary,
                           ts_rank(tsv, q) + 0.2 * cardinality(ARRAY(
                               SELECT unnest(sectors) INTERSECT SELECT unnest(CAST(:sectors AS text[]))
                           )) AS score
                    FROM search_documents, to_tsquery('simple', :q) AS q
                    WHERE status = 'published' AND organisation_id <> :id
                      AND (tsv @@ q OR sectors && CAST(:sectors AS text[]))
                    ORDER BY score DESC, organisation_id
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

    def _tsquery(self, conn, text: str) -> str | None:
        """The tsquery (as text) for a cleaned query; None lists everything, '' matches nothing.

        language.clean_query has already turned any syntax into plain words, so the query is
        built from words alone: each must match (AND), in either alphabet.
        """
        words = language.query_words(text)
        if not words:
            return None
        typing = not text[-1:].isspace()
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
        value = conn.execute(
            sa.text("SELECT CAST(to_tsquery(:config, :text) AS text)"),
            {"config": CONFIG, "text": " & ".join(parts)},
        ).scalar_one()
        return value or ""

    def _correct(self, conn, text: str) -> str | None:
        """The query with each unknown word replaced by the closest known one, if any changed."""
        changed = False
        corrected = []
        for word in language.query_words(text):
            if len(word) >= 3 and not word.isdigit():
                best = conn.execute(
                    sa.text(
                        """
                        SELECT term FROM search_terms
                        WHERE term % :word
                        ORDER BY term <-> :word, term
                        LIMIT 1
                        """
                    ),
                    {"word": word},
                ).scalar()
                if best and best != word:
                    word, changed = best, True
            corrected.append(word)
        return " ".join(corrected) if changed else None

    def _search(self, conn, query: SearchQuery, tsquery: str | None, text: str) -> SearchResult:
        statuses = list(query.statuses)
        filters = {
            facet: sorted({str(v) for v in values if v not in (None, "")})
            for facet, values in (query.filters or {}).items()
            if facet in FACETS
        }
        filters = {facet: values for facet, values in filters.items() if values}
        params: dict = {"statuses": statuses}
        conditions = {}
        for facet, values in filters.items():
            params[f"f_{facet}"] = values
            if facet in SCALAR_FACETS:
                conditions[facet] = f"{SCALAR_FACETS[facet]} = ANY(CAST(:f_{facet} AS text[]))"
            else:
                conditions[facet] = f"{ARRAY_FACETS[facet]} && CAST(:f_{facet} AS text[])"
        base = "status = ANY(CAST(:statuses AS text[]))"
        if tsquery is not None:
            if not tsquery:
                return SearchResult(query=query, total=0, hits=[], facets={f: {} for f in FACETS})
            params["q"] = tsquery
            base += " AND tsv @@ CAST(:q AS tsquery)"

        def where(skip: str | None = None) -> str:
            parts = [cond for facet, cond in conditions.items() if facet != skip]
            return " AND ".join(parts) or "TRUE"

        pieces = [f"SELECT '' AS facet, NULL AS value, count(*) AS n FROM m WHERE {where()}"]
        for facet in FACETS:
            if facet in SCALAR_FACETS:
                column = SCALAR_FACETS[facet]
                pieces.append(
                    f"SELECT '{facet}', {column}, count(*) FROM m "
                    f"WHERE {where(facet)} AND {column} <> '' GROUP BY {column}"
                )
            else:
                column = ARRAY_FACETS[facet]
                pieces.append(
                    f"SELECT '{facet}', v, count(*) FROM m, unnest(m.{column}) AS v "
                    f"WHERE {where(facet)} GROUP BY v"
                )
        columns = "kind, residency, stage, city, sectors, looking_for"
        counts = conn.execute(
            sa.text(
                f"WITH m AS MATERIALIZED (SELECT {columns} FROM search_documents WHERE {base}) "
                + " UNION ALL ".join(pieces)
            ),
            params,
        )
        total = 0
        facets: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
        for facet, value, n in counts:
            if facet == "":
                total = n
            elif value is not None:
                facets[facet][value] = n
        for facet in FACETS:
            facets[facet] = dict(sorted(facets[facet].items(), key=lambda kv: (-kv[1], kv[0])))

        per_page = max(1, min(int(query.per_page or 20), 100))
        page = max(1, int(query.page or 1))
        params.update(limit=per_page, offset=(page - 1) * per_page)
        hits: list[Hit] = []
        if total and (page - 1) * per_page < total:
            hits = self._page(conn, query.sort, base, where(), params, text, tsquery)
        return SearchResult(query=query, total=total, hits=hits, facets=facets)

    def _page(self, conn, sort, base, where, params, text, tsquery) -> list[Hit]:
        if sort == "name" or (sort == "relevance" and tsquery is None):
            order, score = 'lower(name) COLLATE "C", organisation_id', "0.0"
        elif sort == "newest":
            order, score = "created_at DESC, organisation_id DESC", "0.0"
        else:
            params["exact"] = text.lower()
            score = (
                "ts_rank_cd(tsv, CAST(:q AS tsquery))"
                " + CASE WHEN lower(name) = :exact OR lower(name_alt) = :exact THEN 10 ELSE 0 END"
            )
            order = 'score DESC, lower(name) COLLATE "C", organisation_id'
        rows = conn.execute(
            sa.text(
                f"""
                SELECT organisation_id, slug, name, kind, summary, {score} AS score
                FROM search_documents
                WHERE {base} AND {where}
                ORDER BY {order}
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


def mark(headline: str) -> str:
    """Escape a ts_headline result, then turn its markers into <mark> tags."""
    return html.escape(headline).replace(START, "<mark>").replace(STOP, "</mark>")


UPSERT = sa.text(
    f"""
    INSERT INTO search_documents (
        organisation_id, version, slug, status, kind, residency, stage, city, sectors,
        looking_for, name, name_alt, names, summary, body, created_at, tsv)
    SELECT r.organisation_id, r.version, r.slug, r.status, r.kind, r.residency, r.stage,
           r.city, r.sectors, r.looking_for, r.name, r.name_alt, r.names, r.summary, r.body,
           r.created_at,
           setweight(to_tsvector('{CONFIG}', r.a), 'A')
           || setweight(to_tsvector('{CONFIG}', r.b), 'B')
           || setweight(to_tsvector('{CONFIG}', r.c), 'C')
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
        organisation_id integer, version integer, slug text, status text, kind text,
        residency text, stage text, city text, sectors text[], looking_for text[], name text,
        name_alt text, names text, summary text, body text, created_at timestamp,
        a text, b text, c text)
    -- An organisation deleted meanwhile is not indexed again.
    JOIN organisations AS o ON o.id = r.organisation_id
    ON CONFLICT (organisation_id) DO UPDATE SET
        version = excluded.version, slug = excluded.slug, status = excluded.status,
        kind = excluded.kind, residency = excluded.residency, stage = excluded.stage,
        city = excluded.city, sectors = excluded.sectors, looking_for = excluded.looking_for,
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
    city = [doc["city"], *language.transliterations(doc["city"])] if doc["city"] else []
    weak = [doc["description"], *doc["needs"], *doc["programmes"], *doc["equipment"], *city]
    a, b, c = (clean_text("\n".join(part for part in parts if part)) for parts in (names, strong, weak))
    # Synonyms of the cluster's jargon join the weakest weight: found, but not ranked above
    # an organisation that uses the searched words itself.
    expansions = language.synonym_expansions(f"{a}\n{b}\n{c}")
    if expansions:
        c += "\n" + clean_text("\n".join(expansions))
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
        "name": clean_text(doc["name"]),
        "name_alt": clean_text(doc["name_alt"]),
        "names": a.replace("\n", " "),
        "summary": clean_text(doc["summary"]),
        "body": clean_text(documents.snippet_text(doc)),
        "created_at": doc["created_at"].isoformat(),
        "a": a,
        "b": b,
        "c": c,
        "terms": {word for word in language.words(f"{a} {b} {c}") if TERM.fullmatch(word)},
    }

"""Organisations like one profile: its strongest lexemes and its sectors, ranked over a pool."""

from __future__ import annotations

import html

import sqlalchemy as sa

from ..base import Hit
from ..language import WORD_RE as TOKEN


def similar(conn, org_id: int, limit: int) -> list[Hit]:
    """Published organisations sharing this one's sectors and name or summary words."""
    row = conn.execute(
        sa.text(
            "SELECT sectors, array_to_string(tsvector_to_array(ts_filter(tsv, '{a,b}')),"
            " ' ') AS lexemes FROM search_documents WHERE organisation_id = :id"
        ),
        {"id": org_id},
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
        {"q": tsquery, "sectors": list(row.sectors), "id": org_id, "limit": limit},
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

"""Relevance by Whoosh's BM25F over arrays, the page of hits and their snippets."""

from __future__ import annotations

from html import escape

import numpy as np

from .. import arrays, language, offers, snippets
from ..base import Hit, SearchQuery
from .generation import GenerationData
from .planning import Plan

NAME_BOOST = 3.0
EXACT_NAME_BOOST = 10.0
# A name found by its sound scores as a plain mention would: enough to be found, no more.
SOUND_BOOST = 1.0


def scores(searcher, data: GenerationData, plan: Plan) -> np.ndarray:
    """Every docnum's BM25F score for the plan: text, name, sound and exact name.

    What Whoosh's own scorer gives for, per word, an Or of Term("text", t) and Term("name",
    t, boost=NAME_BOOST) over its text terms and Term("name_sound", k, boost=SOUND_BOOST)
    over its sounds, the words And-ed, AndMaybe an Or of the exact-name terms boosted by
    EXACT_NAME_BOOST (each distinct word and term once): the same formula,
    statistics and field lengths, computed over arrays. Walking the matchers of a word that
    matches half the directory took hundreds of milliseconds.
    tests/search/test_whoosh_internals.py compares the two.
    """
    reader = searcher.reader()
    weighting = searcher.weighting
    total = np.zeros(data.size, dtype=np.float64)

    def add(fieldname: str, term: str, boost: float = 1.0) -> None:
        docnums, weights = data.postings(reader, fieldname, term)
        if not len(docnums):
            return
        if searcher.schema[fieldname].scorable:
            idf = searcher.idf(fieldname, term)
            average = searcher.avg_field_length(fieldname) or 1
            lengths = data.field_lengths(reader, fieldname)[docnums]
            b, k1 = weighting.B, weighting.K1
            # whoosh.scoring.bm25, with its order of operations.
            normalised = k1 * ((1 - b) + b * lengths / average)
            score = idf * ((weights * (k1 + 1)) / (weights + normalised))
        else:
            score = weights
        total[docnums] += score * boost if boost != 1.0 else score

    for clause in distinct_clauses(plan):
        for fieldname, term in clause:
            if fieldname == "text":
                add("text", term)
                add("name", term, NAME_BOOST)
            elif fieldname == "offers":
                continue  # once per capability, below
            else:
                add(fieldname, term, SOUND_BOOST)
    for variant in plan.exact:
        add("name_exact", variant, EXACT_NAME_BOOST)
    for slug in plan.capabilities:
        # A keyword field: a weight of 1 where offered, so exactly OFFER_BOOST.
        add("offers", slug, offers.OFFER_BOOST)
    return total


def distinct_clauses(plan: Plan) -> list[tuple[tuple[str, str], ...]]:
    """The plan's words as their (field, term) pairs, each distinct word and pair once."""
    return list(dict.fromkeys(tuple(dict.fromkeys(clause)) for clause in plan.clauses))


def ranked_hits(
    searcher, data: GenerationData, plan: Plan, allowed: np.ndarray, query: SearchQuery, start: int
) -> list[Hit]:
    """The hits from `start` for one page of the allowed docnums, in the query's order."""
    sort = query.sort if query.sort in ("name", "newest") else "relevance"
    if not plan.clauses and sort == "relevance":
        sort = "name"  # nothing to rank by: alphabetical reads best
    stop = start + query.per_page
    docnums = np.flatnonzero(allowed)
    if sort == "relevance":
        ranked = scores(searcher, data, plan)[docnums]
        # Equal scores in name order, Cyrillic names first for a query in Cyrillic.
        field = "name_sort_ru" if language.has_cyrillic(query.text) else "name_sort"
        names = data.positions(searcher.reader(), field)[docnums]
        best, best_scores = arrays.top_by_score(docnums, ranked, stop, names)
        found = list(zip(best.tolist(), best_scores.tolist(), strict=True))[start:stop]
    else:
        field = "name_sort" if sort == "name" else "created"
        places = data.positions(searcher.reader(), field, descending=sort == "newest")
        found = [(docnum, 0.0) for docnum in arrays.page_by_position(docnums, places, start, stop)]
    hits = []
    for docnum, score in found:
        stored = searcher.stored_fields(int(docnum))
        shown = escape(stored.get("summary", "")) if query.brief else snippet(stored, plan.terms)
        hits.append(stored_hit(stored, shown, score))
    return hits


def stored_hit(stored: dict, shown: str, score: float) -> Hit:
    """A hit from a document's stored fields, with the snippet (safe HTML) to show."""
    return Hit(
        id=int(stored["id"]),
        slug=stored["slug"],
        name=stored["title"],
        kind=stored.get("kind", ""),
        summary=stored.get("summary", ""),
        snippet=shown,
        score=float(score),
    )


def snippet(stored: dict, wanted: set[str]) -> str:
    """Safe HTML: up to two fragments of the body with the terms marked, else the summary."""
    body = stored.get("body") or ""
    return snippets.snippet(body, wanted) or escape(stored.get("summary") or body[:220])

"""Relevance by Whoosh's BM25F over arrays, the page of hits, snippets and "did you mean"."""

from __future__ import annotations

from html import escape

import numpy as np
from whoosh.highlight import ContextFragmenter, HtmlFormatter, highlight

from .. import arrays, language
from ..base import Hit, SearchQuery
from .analysis import TEXT_ANALYZER, analyse_word
from .generation import GenerationData
from .planning import Plan

NAME_BOOST = 3.0
EXACT_NAME_BOOST = 10.0


def scores(searcher, data: GenerationData, plan: Plan) -> np.ndarray:
    """Every docnum's BM25F score for the plan: text, name and exact name.

    What Whoosh's own scorer gives for, per word, an Or of Term("text", t) and Term("name",
    t, boost=NAME_BOOST) over its terms, the words And-ed, AndMaybe an Or of the exact-name
    terms boosted by EXACT_NAME_BOOST (each distinct word and term once): the same formula,
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

    for terms in distinct_clauses(plan):
        for term in terms:
            add("text", term)
            add("name", term, NAME_BOOST)
    for variant in plan.exact:
        add("name_exact", variant, EXACT_NAME_BOOST)
    return total


def distinct_clauses(plan: Plan) -> list[tuple[str, ...]]:
    """The plan's words as their terms, each distinct word and term once, in order."""
    return list(dict.fromkeys(tuple(dict.fromkeys(terms)) for terms in plan.clauses))


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
        best, best_scores = arrays.top_by_score(docnums, ranked, stop)
        found = list(zip(best.tolist(), best_scores.tolist(), strict=True))[start:stop]
    else:
        field = "name_sort" if sort == "name" else "created"
        places = data.positions(searcher.reader(), field, descending=sort == "newest")
        found = [(docnum, 0.0) for docnum in arrays.page_by_position(docnums, places, start, stop)]
    hits = []
    for docnum, score in found:
        stored = searcher.stored_fields(int(docnum))
        hits.append(
            Hit(
                id=int(stored["id"]),
                slug=stored["slug"],
                name=stored["title"],
                kind=stored.get("kind", ""),
                summary=stored.get("summary", ""),
                snippet=snippet(stored, plan.terms),
                score=float(score),
            )
        )
    return hits


class MarkFormatter(HtmlFormatter):
    """Escaped text with each match in <mark>."""

    template = "<%(tag)s>%(t)s</%(tag)s>"

    def __init__(self):
        super().__init__(tagname="mark", between=" … ")


def snippet(stored: dict, terms: set[str]) -> str:
    """Safe HTML: up to two fragments of the body with the terms marked, else the summary."""
    body = stored.get("body") or ""
    if terms and body:
        fragments = highlight(
            body,
            terms,
            TEXT_ANALYZER,
            ContextFragmenter(maxchars=220, surround=60),
            MarkFormatter(),
            top=2,
        )
        if fragments:
            return fragments
    return escape(stored.get("summary") or body[:220])


def suggestion(text: str, corrections: dict[str, str], hits: list[Hit]) -> str | None:
    """The query with each mistyped word replaced by a real word that has its stem.

    The index holds stems ("manufactur"); the words shown come from the hits' own text.
    """
    if not corrections:
        return None
    spelled = {}
    for hit in hits:
        for token in language.WORD_RE.findall(f"{hit.name} {hit.summary} {hit.snippet}"):
            stemmed = analyse_word(token)
            if stemmed in corrections.values() and stemmed not in spelled:
                spelled[stemmed] = language.fold(token)
    words = language.query_words(text)
    return " ".join(
        spelled.get(corrections[word], corrections[word]) if word in corrections else word
        for word in words
    )

"""A user's text turned into tsqueries of terms.py's terms: typos, prefixes and names by sound.

The documents' tsvectors hold the terms Python made of their text (rows.py), so queries are
analysed the same way here and PostgreSQL only matches lexemes: both engines read words alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa

from .. import language, offers, phonetics, terms, typos
from ..base import QueryPlan
from .facet_table import FacetTable
from .rows import SOUND_PREFIX

# How many trigram candidates are compared by edit distance.
TRIGRAM_CANDIDATES = 50


@dataclass
class Plan(QueryPlan):
    """Per query word, the tsquery of its alternatives; corrections and what to mark."""

    clauses: list[str] = field(default_factory=list)
    # Prefixes to mark in snippets, beside the terms.
    prefixes: set[str] = field(default_factory=set)


def quoted(lexeme: str, prefix: bool = False) -> str:
    """A lexeme in tsquery syntax; terms hold letters and digits only, a prefix adds :*."""
    return f"'{lexeme}'" + (":*" if prefix else "")


def alternatives(word: str, last: bool) -> tuple[list[str], list[str]]:
    """A word's terms in both alphabets, and, for a last word still typed, its prefixes."""
    found = terms.word_terms(word)
    if not found:
        return [], []
    spellings = [word, *language.transliterations(word)]
    exact = list(dict.fromkeys(t for s in spellings for t in terms.text_terms(s)))
    prefixes = [language.fold(s) for s in spellings if len(s) >= 2] if last else []
    return exact, [p for p in dict.fromkeys(prefixes) if language.WORD_RE.fullmatch(p)]


def tsquery(exact: list[str], prefixes: list[str]) -> str:
    """One word's alternatives as a tsquery."""
    parts = [quoted(t) for t in exact] + [quoted(p, prefix=True) for p in prefixes]
    return "( " + " | ".join(parts) + " )"


def plan(conn, text: str, table: FacetTable, visible: np.ndarray) -> Plan:
    """Each word of a cleaned query as a tsquery that matches, corrected or sounded if need be."""
    typed = language.query_words(text)
    result = Plan(words=typed)
    words = [word for word in typed if not terms.is_stop_word(word)]
    typing = not text[-1:].isspace()
    for position, word in enumerate(words):
        exact, prefixes = alternatives(word, typing and position == len(words) - 1)
        clause = tsquery(exact, [])
        found = _finds(conn, table, clause, visible)
        if not found and prefixes:
            # Still typing: the last word may be the start of a longer one.
            clause = tsquery(exact, prefixes)
            found = _finds(conn, table, clause, visible)
        else:
            prefixes = []
        if not found:
            correction = table.remember(("correct", word), lambda w=word: correct(conn, table, w))
            sound = phonetics.russian_key(word)
            if correction:
                result.corrections[word] = correction
                exact, prefixes = alternatives(correction, False)
                clause = tsquery(exact, prefixes)
            elif sound and _finds(conn, table, quoted(SOUND_PREFIX + sound.lower()), visible):
                clause = quoted(SOUND_PREFIX + sound.lower())
        result.terms.update(exact)
        result.prefixes.update(prefixes)
        result.clauses.append(clause)
        result.searched.append(word)
    asked = offers.asked(words)
    result.capabilities = asked.capabilities
    for number, slugs in enumerate(asked.per_word):
        if slugs:
            offered = " | ".join(quoted(offers.OFFER_PREFIX + slug) for slug in slugs)
            result.clauses[number] = f"( {result.clauses[number]} | {offered} )"
    return result


def _finds(conn, table: FacetTable, query: str, visible: np.ndarray) -> bool:
    return bool((table.matching(conn, query) & visible).any())


def trigram_threshold(word: str) -> float:
    """A pg_trgm similarity every word one edit away from this one reaches.

    A word of n letters has n + 1 trigrams (pg_trgm pads it); one edit, a swap included,
    changes at most four of them, so (n - 3) / (n + 5) of the two sets stay shared at worst:
    "стжеок" and "стежок" are 0.27 apart, under pg_trgm's default of 0.3.
    """
    n = len(word)
    return max(0.05, min(0.3, (n - 3) / (n + 5) - 0.01))


def correct(conn, table: FacetTable, word: str) -> str | None:
    """The published word closest to a mistyped one, the commonest among equals.

    search_terms holds the words of published profiles as they were written when indexed;
    a word whose profiles have all been unpublished since stays in it, so each candidate is
    checked against the published rows of this generation first.
    """
    edits = typos.edits_allowed(word)
    if not edits:
        return None
    conn.execute(
        sa.text("SELECT set_config('pg_trgm.similarity_threshold', :t, true)"),
        {"t": str(trigram_threshold(word))},
    )
    candidates = conn.execute(
        sa.text(
            "SELECT term FROM search_terms WHERE term % :word"
            " ORDER BY term <-> :word, term LIMIT :limit"
        ),
        {"word": word, "limit": TRIGRAM_CANDIDATES},
    ).scalars()
    published = table.statuses(("published",))
    best: tuple[int, int, str] | None = None
    for distance, candidate in typos.nearest(word, list(candidates), edits):
        if best is not None and distance > best[0]:
            break
        exact = terms.word_terms(candidate)
        holders = int((table.matching(conn, tsquery(list(exact), [])) & published).sum())
        if exact and holders and (best is None or holders > -best[1]):
            best = (distance, -holders, candidate)
    return best[2] if best else None

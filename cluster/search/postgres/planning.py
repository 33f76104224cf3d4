"""A user's text turned into a tsquery: stop words, both alphabets, prefixes and typo fixes."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import sqlalchemy as sa
from rapidfuzz.distance import Levenshtein

from .. import arrays, language
from .facet_table import FacetTable
from .rows import CONFIG

# How many parsed query texts a process keeps.
PARSED_KEPT = 5000
# Letters and digits; a token is always safe to place inside to_tsquery's syntax.
TOKEN = re.compile(r"[^\W_]+")


class Planner:
    """Plans searches, keeping what the text search configuration made of query texts."""

    def __init__(self) -> None:
        # What the text search configuration made of query texts (it does not change while
        # the server runs): stop words and tsqueries, a round trip each otherwise.
        self._parsed = arrays.Remembered(PARSED_KEPT)

    def _remember(self, key: tuple, compute: Callable[[], object]):
        """A value computed once per process for a key, the least recently used forgotten."""
        return self._parsed.get(key, compute)

    def plan(self, conn, text: str, table: FacetTable, allowed: np.ndarray):
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
        strict = self.tsquery(conn, words, typing, " & ")
        if not strict:
            return None, None, None  # nothing but stop words and symbols
        matched = matching(conn, strict, table, allowed)
        if matched.any():
            return strict, None, matched
        # The vocabulary changes only with the documents: corrections keep for a generation.
        corrected = table.remember(("correct", *words), lambda: correct(conn, words))
        tries = []
        if corrected:
            tries.append(self.tsquery(conn, corrected, typing, " & "))
        if len(words) > 1:
            tries.append(self.tsquery(conn, words, typing, " | "))
            if corrected:
                tries.append(self.tsquery(conn, corrected, typing, " | "))
        suggestion = " ".join(corrected) if corrected else None
        for tsquery in tries:
            if tsquery:
                rows = matching(conn, tsquery, table, allowed)
                if rows.any():
                    return tsquery, suggestion, rows
        return strict, suggestion, matched

    def tsquery(self, conn, words: list[str], typing: bool, operator: str) -> str:
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


def matching(conn, tsquery: str, table: FacetTable, allowed: np.ndarray) -> np.ndarray:
    """The allowed rows whose text matches (the facet table keeps each term's rows)."""
    return table.matching(conn, tsquery) & allowed


def correct(conn, words: list[str]) -> list[str] | None:
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

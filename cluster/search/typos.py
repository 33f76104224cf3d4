"""Typos as people make them: whole words, Damerau-Levenshtein, and never for a real word.

A swap of two neighbouring letters ("ткнаи", "Rentorbe") is one edit, as people make it, not
two as plain Levenshtein counts it. Words are compared as written, before stemming: a typo
often stops the stemmer ("managemnt" keeps its ending, "management" loses it). A word of the
Russian or English dictionary is never replaced by another, even when it finds nothing: it is
what the person meant.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from . import arrays, dictionary

# How many of the nearest words are looked at before choosing.
CANDIDATES = 25
# rapidfuzz's stubs type its scorers' overloads more narrowly than extract() accepts them.
DISTANCE: Any = DamerauLevenshtein.distance


def edits_allowed(word: str) -> int:
    """How many edits may correct this query word: none for numbers and dictionary words."""
    if not word.isalpha():
        return 0
    edits = arrays.edits_allowed(word)
    if not edits or dictionary.is_word(word):
        return 0
    return edits


def nearest(word: str, vocabulary: Iterable[str], edits: int) -> list[tuple[int, str]]:
    """The vocabulary's words within `edits` of the word, nearest first (then in their order)."""
    found = process.extract(
        word,
        vocabulary,
        scorer=DISTANCE,
        score_cutoff=edits,
        limit=CANDIDATES,
    )
    ranked = sorted((int(distance), n, c) for n, (c, distance, _) in enumerate(found) if c != word)
    return [(distance, candidate) for distance, _, candidate in ranked]

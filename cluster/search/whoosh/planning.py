"""A user's text turned into the terms each word may match, with typos corrected."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .. import arrays, language
from .analysis import analyse_word, analysed_terms
from .generation import GenerationData

# A prefix typed so far expands to at most this many indexed words.
PREFIX_EXPANSION = 30


@dataclass
class Plan:
    """What a search looks for: every word, any of its terms (see ranking.scores)."""

    # Per query word, the "text" terms any of which it matches (names are in "text" too).
    clauses: list[list[str]] = field(default_factory=list)
    # Each mistyped word with the indexed (stemmed) word searched instead.
    corrections: dict[str, str] = field(default_factory=dict)
    # Indexed (stemmed) words to highlight in snippets.
    terms: set[str] = field(default_factory=set)
    # The query as "name_exact" terms, scored on top when a name is exactly what was typed.
    exact: list[str] = field(default_factory=list)


def stems(word: str) -> list[str]:
    """The indexed forms of a word and of its spelling in the other alphabet."""
    found = analysed_terms(word)
    if not found:
        return []  # a stop word stays one, whatever its transliteration looks like
    for variant in language.transliterations(word):
        found.extend(analysed_terms(variant))
    return list(dict.fromkeys(found))


def correct(reader, data: GenerationData, word: str) -> str | None:
    """The indexed stem closest to a mistyped word's, the commonest among equals."""
    typed = analyse_word(word)
    edits = arrays.edits_allowed(word)
    if typed is None or not edits:
        return None
    found = process.extract(
        typed,
        data.vocabulary(reader),
        scorer=Levenshtein.distance,
        score_cutoff=edits,
        limit=25,
    )
    candidates = [(int(distance), c) for c, distance, _ in found if c != typed]
    if not candidates:
        return None
    best = min(candidates, key=lambda pair: (pair[0], -reader.doc_frequency("text", pair[1])))
    return best[1]


def plan(reader, data: GenerationData, text: str) -> Plan:
    """The terms each word of a cleaned query may match; no clauses for only stop words."""
    words = language.query_words(text)
    result = Plan()
    for position, word in enumerate(words):
        forms = stems(word)
        if not forms:
            continue  # a stop word
        known = [s for s in forms if reader.doc_frequency("text", s)]
        if not known and position == len(words) - 1 and len(word) >= 3:
            # Still typing: the last word may be the start of a longer one.
            for s in forms:
                expanded = itertools.islice(reader.expand_prefix("text", s), PREFIX_EXPANSION)
                known.extend(btext.decode("utf-8") for btext in expanded)
        if not known:
            correction = correct(reader, data, word)
            if correction:
                result.corrections[word] = correction
                known = [correction]
        if not known:
            # Nothing like it is indexed: requiring it finds nothing, any other word may.
            known = forms[:1]
        result.terms.update(known)
        result.clauses.append(known)
    if result.clauses:
        phrase = " ".join(words)
        result.exact = list(dict.fromkeys((phrase, *language.transliterations(phrase))))
    return result

"""A user's text turned into the terms each word may match, typos corrected, names by sound."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from .. import language, offers, phonetics, terms, typos
from ..base import QueryPlan
from .analysis import analysed_terms
from .generation import GenerationData

# A prefix typed so far expands to at most this many indexed words.
PREFIX_EXPANSION = 30

# A clause's alternatives: (field, term) pairs, "text" for words and "name_sound" for sounds.
Clause = list[tuple[str, str]]


@dataclass
class Plan(QueryPlan):
    """What a search looks for: every word, any of its alternatives (see ranking.scores)."""

    # Per query word, the (field, term) pairs any of which it matches.
    clauses: list[Clause] = field(default_factory=list)
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
    """The published word closest to a mistyped one, the commonest among equals.

    None for a real word (typos.edits_allowed), or when nothing published is near enough.
    """
    edits = typos.edits_allowed(word)
    if not edits:
        return None
    best: tuple[int, int, str] | None = None
    for distance, candidate in typos.nearest(word, data.vocabulary(reader), edits):
        if best is not None and distance > best[0]:
            break
        # The lexicon keeps words of deleted documents until segments merge: only a word some
        # live (published) document holds may be suggested.
        holders = len(data.postings(reader, "spelling", candidate)[0])
        if holders and (best is None or holders > -best[1]):
            best = (distance, -holders, candidate)
    return best[2] if best else None


def _known(reader, forms: list[str], last: bool, word: str) -> Clause:
    known = [s for s in forms if reader.doc_frequency("text", s)]
    if not known and last and len(word) >= 3:
        # Still typing: the last word may be the start of a longer one.
        for s in forms:
            expanded = itertools.islice(reader.expand_prefix("text", s), PREFIX_EXPANSION)
            known.extend(btext.decode("utf-8") for btext in expanded)
    return [("text", term) for term in known]


def _sounded(reader, word: str) -> Clause:
    # An English name typed in Cyrillic by its sound; only for a word nothing else found.
    key = phonetics.russian_key(word)
    if key and reader.doc_frequency("name_sound", key.lower()):
        return [("name_sound", key.lower())]
    return []


def plan(reader, data: GenerationData, text: str) -> Plan:
    """The terms each word of a cleaned query may match; no clauses for only stop words."""
    typed = language.query_words(text)
    result = Plan(words=typed)
    words = [word for word in typed if not terms.is_stop_word(word)]
    for position, word in enumerate(words):
        forms = stems(word)
        clause = _known(reader, forms, position == len(words) - 1, word)
        if not clause:
            correction = correct(reader, data, word)
            if correction:
                result.corrections[word] = correction
                clause = _known(reader, stems(correction), False, correction)
        if not clause:
            clause = _sounded(reader, word)
        if not clause:
            # Nothing like it is indexed: it matches nothing (engine: any other word may).
            clause = [("text", forms[0])]
        result.searched.append(word)
        result.terms.update(term for name, term in clause if name == "text")
        result.clauses.append(clause)
    asked = offers.asked(words)
    result.capabilities = asked.capabilities
    for clause, slugs in zip(result.clauses, asked.per_word, strict=True):
        clause.extend(("offers", slug) for slug in slugs)
    if result.clauses:
        phrase = " ".join(typed)
        result.exact = list(dict.fromkeys((phrase, *language.transliterations(phrase))))
    return result

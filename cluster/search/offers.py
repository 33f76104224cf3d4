"""What a query asks someone to offer: the canonical capabilities its words name.

Both engines read a query's words through here. A word that is part of a capability's label
or synonym ("jacket", "швейная фабрика", "закройщик") is also met by every organisation that
offers the capability, whatever its text says; in a query that names a capability, a word for
a provider ("factory", "цех") or a quantity ("300") is met by offering any capability named.
An organisation offering what was asked then ranks above every one that does not: OFFER_BOOST
per capability outweighs any score of words, and what an organisation only needs never counts
as an offer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..services import capabilities
from . import terms

# Added to a document's score for each capability of the query it offers: more than any
# text score reaches, so a provider always ranks above a seeker (tests/search/test_matching.py).
OFFER_BOOST = 100.0
# The lexeme prefix of an offered capability in the PostgreSQL engine's tsvector.
OFFER_PREFIX = "+"


@dataclass
class Asked:
    """The capabilities a query names, and per (non-stop) word those that meet it."""

    capabilities: list[str] = field(default_factory=list)
    per_word: list[list[str]] = field(default_factory=list)


def asked(words: list[str]) -> Asked:
    """The capabilities named by a query's words (stop words already left out)."""
    vocab = capabilities.vocabulary()
    word_terms = [frozenset(terms.word_terms(word)) for word in words]
    per_word: list[list[str]] = [[] for _ in words]
    found: list[str] = []
    for match in vocab.matches(word_terms):
        found.append(match.slug)
        for place in range(match.start, match.stop):
            if match.slug not in per_word[place]:
                per_word[place].append(match.slug)
    named = vocab.sorted(found)
    if named:
        for place, word in enumerate(words):
            if not per_word[place] and (word.isdigit() or word_terms[place] & vocab.provider_terms):
                per_word[place] = list(named)
    return Asked(capabilities=named, per_word=per_word)

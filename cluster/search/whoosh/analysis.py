"""How text becomes Whoosh terms: folding, stop words, bilingual stemming and the fast fields."""

from __future__ import annotations

import threading
from collections import Counter
from functools import lru_cache

import Stemmer
from whoosh.analysis import Filter, RegexTokenizer
from whoosh.fields import TEXT
from whoosh.lang.stopwords import stoplists
from whoosh.system import pack_uint

from .. import language

_stemmers = threading.local()


def _stemmer(lang: str) -> Stemmer.Stemmer:
    # PyStemmer objects are not thread-safe: one per thread.
    stemmer = getattr(_stemmers, lang, None)
    if stemmer is None:
        stemmer = Stemmer.Stemmer(lang)
        setattr(_stemmers, lang, stemmer)
    return stemmer


# After Snowball, Russian adjectives keep a suffix their nouns lack ("текстильн" from
# "текстильное", "текстил" from "текстиль"); dropping it lets the two meet.
RUSSIAN_DERIVATIONAL = ("ьн", "ск", "н", "ов", "ев")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem a folded word: Russian rules for Cyrillic words, English for the rest."""
    if language.has_cyrillic(word):
        root = _stemmer("russian").stemWord(word)
        for suffix in RUSSIAN_DERIVATIONAL:
            if root.endswith(suffix) and len(root) - len(suffix) >= 4:
                return root[: -len(suffix)]
        return root
    return _stemmer("english").stemWord(word)


class FoldFilter(Filter):
    """Lower-case and fold "ё" into "е"."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = language.fold(token.text)
            yield token


STOP_WORDS = frozenset(stoplists["en"]) | frozenset(stoplists["ru"])


@lru_cache(maxsize=200_000)
def analyse_word(word: str) -> str | None:
    """The indexed form of one word as tokenised: folded and stemmed, or None for a stop word."""
    folded = language.fold(word)
    if len(folded) < 2 or folded in STOP_WORDS:
        return None
    return stem(folded)


class BilingualStemFilter(Filter):
    """Fold, drop stop words and stem in one pass: Cyrillic as Russian, the rest as English.

    One cached lookup per token; indexing spends most of its time here.
    """

    def __call__(self, tokens):
        for token in tokens:
            analysed = analyse_word(token.text)
            if analysed is None:
                if token.removestops:
                    continue
                token.stopped = True
                token.text = language.fold(token.text)
            else:
                token.text = analysed
            yield token


TOKENIZER_PATTERN = language.WORD_RE.pattern
TEXT_ANALYZER = RegexTokenizer(TOKENIZER_PATTERN) | BilingualStemFilter()
# Whole words as typed, for autocomplete.
WORD_ANALYZER = RegexTokenizer(TOKENIZER_PATTERN) | FoldFilter()


def phrase(text: str) -> str:
    """The words of a text, folded, joined by single spaces."""
    return " ".join(language.words(text))


def analysed_terms(text: str) -> list[str]:
    """The terms TEXT_ANALYZER makes of a text, in order."""
    return [token.text for token in TEXT_ANALYZER(text)]


class StemmedText(TEXT):
    """A TEXT field analysed by TEXT_ANALYZER that indexes without a Token object per word.

    The terms are the analyzer's (each word of WORD_RE folded and stemmed, stop words left
    out), counted and encoded as Whoosh's Frequency format does (Field.index's documented
    tuples); building them with map() and a Counter instead of the token pipeline made
    indexing about twice as fast. tests/search/test_whoosh_internals.py checks the index
    equals one made by a plain TEXT field.
    """

    def __init__(self, **kwargs):
        super().__init__(analyzer=TEXT_ANALYZER, phrase=False, **kwargs)

    def index(self, value, **kwargs):
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        counts = Counter(filter(None, map(analyse_word, language.WORD_RE.findall(value))))
        boost = self.format.field_boost
        for term, freq in counts.items():
            yield (term.encode("utf-8"), freq, *_frequency_posting(freq, boost))


class WordText(TEXT):
    """A TEXT field analysed by WORD_ANALYZER (whole folded words), indexed the same fast way."""

    def __init__(self, **kwargs):
        super().__init__(analyzer=WORD_ANALYZER, phrase=False, **kwargs)

    def index(self, value, **kwargs):
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        counts = Counter(map(language.fold, language.WORD_RE.findall(value)))
        boost = self.format.field_boost
        for term, freq in counts.items():
            yield (term.encode("utf-8"), freq, *_frequency_posting(freq, boost))


@lru_cache(maxsize=1024)
def _frequency_posting(freq: int, boost: float) -> tuple[float, bytes]:
    # One shared weight and value per frequency: a rebuild holds every posting in memory.
    return freq * boost, pack_uint(freq)

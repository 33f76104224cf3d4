"""How text becomes Whoosh terms (cluster/search/terms.py), and the fast text fields.

A "text" value is the profile's own words, EXTRA_MARK, then the words that reach it only
through a transliteration, a synonym, a sector's or a kind's name: each of those counts
EXTRA_WEIGHT of an own word in the term's weight, which BM25F reads as its frequency.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from itertools import chain

from whoosh.analysis import Filter, RegexTokenizer
from whoosh.fields import TEXT
from whoosh.system import pack_uint

from .. import language, terms

EXTRA_MARK = "\x1d"
# An exact binary fraction: weights summed token by token equal those counted here.
EXTRA_WEIGHT = 0.25

# A field value's terms (UTF-8), their frequencies, weights and encoded values, in one order.
Postings = tuple[list[bytes], list[int], list[float], list[bytes]]


class FoldFilter(Filter):
    """Lower-case and fold "ё" into "е"."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = language.fold(token.text)
            yield token


class BilingualStemFilter(Filter):
    """Terms of each word (terms.word_terms), stop words dropped, extra words down-weighted.

    A word with several terms yields a token for each, at the same position.
    """

    def __call__(self, tokens):
        boost = 1.0
        for token in tokens:
            if token.text == EXTRA_MARK:
                boost = EXTRA_WEIGHT
                continue
            found = terms.word_terms(token.text)
            if not found:
                if token.removestops:
                    continue
                token.stopped = True
                token.text = language.fold(token.text)
                yield token
                continue
            for term in found:
                token.text = term
                token.boost = boost
                yield token


TOKENIZER_PATTERN = language.WORD_RE.pattern
TEXT_ANALYZER = RegexTokenizer(f"{TOKENIZER_PATTERN}|{EXTRA_MARK}") | BilingualStemFilter()
# Whole words as typed, for autocomplete.
WORD_ANALYZER = RegexTokenizer(TOKENIZER_PATTERN) | FoldFilter()


def phrase(text: str) -> str:
    """The words of a text, folded, joined by single spaces."""
    return " ".join(language.words(text))


def analysed_terms(text: str) -> list[str]:
    """The terms TEXT_ANALYZER makes of a text, in order."""
    return [token.text for token in TEXT_ANALYZER(text)]


def text_value(own: str, extra: str = "") -> str:
    """A "text" field's value: own words, then extra ones (see the module's docstring)."""
    own, extra = own.replace(EXTRA_MARK, " "), extra.replace(EXTRA_MARK, " ")
    return f"{own}{EXTRA_MARK}{extra}" if extra else own


def _counts(text: str) -> Counter:
    return Counter(chain.from_iterable(map(terms.word_terms, language.WORD_RE.findall(text))))


class _CountedText(TEXT):
    """A TEXT field indexed from the lists postings() gives, without a Token object per word."""

    def index(self, value, **kwargs):
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        yield from zip(*self.postings(value), strict=True)

    def postings(self, value: str) -> Postings:
        """What index() yields, as four lists: terms, frequencies, weights, encoded values."""
        raise NotImplementedError


class StemmedText(_CountedText):
    """A TEXT field analysed by TEXT_ANALYZER that indexes without a Token object per word.

    The terms are the analyzer's, counted and weighed as Whoosh's Frequency format does
    (Field.index's documented tuples); building them with map() and a Counter instead of
    the token pipeline made indexing about twice as fast. tests/search/test_whoosh_internals.py
    checks the index equals one made by a plain TEXT field.
    """

    def __init__(self, **kwargs):
        super().__init__(analyzer=TEXT_ANALYZER, phrase=False, **kwargs)

    def postings(self, value: str) -> Postings:
        """What index() yields, as four lists: terms, frequencies, weights, encoded values."""
        own, _, extra = value.partition(EXTRA_MARK)
        counts = _counts(own)
        boost = self.format.field_boost
        if not extra:
            freqs = list(counts.values())
            words = list(counts)
            weights = [freq * boost for freq in freqs]
        else:
            extras = _counts(extra)
            words = list(dict.fromkeys(chain(counts, extras)))
            own_count, extra_count = counts.get, extras.get
            found = [(own_count(term, 0), extra_count(term, 0)) for term in words]
            freqs = [mine + other for mine, other in found]
            weights = [(mine + other * EXTRA_WEIGHT) * boost for mine, other in found]
        return list(map(str.encode, words)), freqs, weights, list(map(_packed, freqs))


class WordText(_CountedText):
    """A TEXT field analysed by WORD_ANALYZER (whole folded words), indexed the same fast way."""

    def __init__(self, **kwargs):
        super().__init__(analyzer=WORD_ANALYZER, phrase=False, **kwargs)

    def postings(self, value: str) -> Postings:
        """What index() yields, as four lists: terms, frequencies, weights, encoded values."""
        counts = Counter(map(language.fold, language.WORD_RE.findall(value)))
        boost = self.format.field_boost
        freqs = list(counts.values())
        weights = [freq * boost for freq in freqs]
        return list(map(str.encode, counts)), freqs, weights, list(map(_packed, freqs))


@lru_cache(maxsize=1024)
def _packed(freq: int) -> bytes:
    # One shared value per frequency: a rebuild holds every posting in memory.
    return pack_uint(freq)

"""How a word becomes the terms both engines index and search: lemmas, stems, stop words.

A Russian word the dictionary knows becomes its lemmas ("швов" -> "шов", "печатью" ->
"печать"), each then stemmed by Snowball, so every form of a word meets every other: Snowball
alone gives forms of one noun different stems (шов/швов, пошив -> пош but пошива -> пошив).
Stemming the lemma keeps what Snowball did well: "текстильный" and "текстиль" still meet. A
word the dictionary does not know (a name, a brand, a typo) is stemmed as it is, English words
by the English Snowball stemmer. Numbers are terms too, so "Полотно-9" is found by its 9.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import Stemmer

from . import dictionary, language
from .stopwords import STOP_WORDS

_stemmers = threading.local()

# After Snowball, Russian adjectives keep a suffix their nouns lack ("текстильн" from
# "текстильное", "текстил" from "текстиль"); dropping it lets the two meet.
RUSSIAN_DERIVATIONAL = ("ьн", "ск", "н", "ов", "ев")


def _stemmer(lang: str) -> Stemmer.Stemmer:
    # PyStemmer objects are not thread-safe: one per thread.
    stemmer = getattr(_stemmers, lang, None)
    if stemmer is None:
        stemmer = Stemmer.Stemmer(lang)
        setattr(_stemmers, lang, stemmer)
    return stemmer


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


@lru_cache(maxsize=200_000)
def word_terms(word: str) -> tuple[str, ...]:
    """The terms of one word as tokenised (language.WORD_RE); none for a stop word.

    Most words have one term; a Russian word with several dictionary lemmas has one for each
    ("стали": стать and сталь).
    """
    folded = language.fold(word)
    if folded in STOP_WORDS or (len(folded) < 2 and not folded.isdigit()):
        return ()
    if language.has_cyrillic(folded) and folded.isalpha():
        lemmas = dictionary.lemmas(folded)
        if lemmas:
            return tuple(dict.fromkeys(stem(lemma) for lemma in lemmas))
    return (stem(folded),)


def text_terms(text: str) -> list[str]:
    """The terms of a text, word by word, in order."""
    return [term for word in language.WORD_RE.findall(text) for term in word_terms(word)]


def is_stop_word(word: str) -> bool:
    """Whether a word is left out of the index and of queries."""
    return not word_terms(word)

"""Whether a word is a real word of Russian or English, and the Russian dictionary's lemmas.

Russian comes from pymorphy3's packaged dictionary (OpenCorpora), English from
pyspellchecker's word list. Both load once per process, on first use: the Russian one in about
0.2 s and 10 MB, the English one in about 0.5 s and 30 MB.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import pymorphy3  # type: ignore[import-untyped]
from pymorphy3.units import DictionaryAnalyzer  # type: ignore[import-untyped]
from spellchecker import SpellChecker

from . import language

_loading = threading.Lock()
_loaded: dict[str, object] = {}

# Parses of a word as a personal name are left out of its lemmas: "образцов" is a plural of
# "образец" first and a surname only by chance.
NAME_TAGS = frozenset(("Name", "Surn", "Patr"))


def _load(key: str, make):
    value = _loaded.get(key)
    if value is None:
        with _loading:
            value = _loaded.get(key)
            if value is None:
                value = _loaded[key] = make()
    return value


def morphology() -> pymorphy3.MorphAnalyzer:
    """The Russian analyser, shared by every thread (it only reads its dictionary)."""
    return _load("ru", pymorphy3.MorphAnalyzer)


def _english() -> SpellChecker:
    return _load("en", lambda: SpellChecker(language="en", distance=1))


@lru_cache(maxsize=200_000)
def lemmas(word: str) -> tuple[str, ...]:
    """A folded Russian word's dictionary lemmas, likeliest first; empty for an unknown word."""
    parses = [p for p in morphology().parse(word) if _from_dictionary(p)]
    common = [p for p in parses if not (p.tag.grammemes & NAME_TAGS)] or parses
    return tuple(dict.fromkeys(language.fold(p.normal_form) for p in common))


def _from_dictionary(parse) -> bool:
    # A guess (a known ending after an unknown prefix, say) is not a word of the dictionary.
    stack = parse.methods_stack
    return len(stack) == 1 and isinstance(stack[0][0], DictionaryAnalyzer)


@lru_cache(maxsize=50_000)
def is_word(word: str) -> bool:
    """Whether a folded word is in the Russian or the English dictionary."""
    if not word.isalpha():
        return False
    if language.has_cyrillic(word):
        return bool(lemmas(word))
    if language.has_latin(word):
        return word in _english()
    return False

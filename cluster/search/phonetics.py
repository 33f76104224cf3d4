"""A sound key shared by English spelling and Russian Cyrillic: "Loomwise" and "Лумвайз" meet.

People type an English name they have heard in Cyrillic letters by its sound ("Лумвайз",
"Тэгтрейл"), which a letter-by-letter transliteration never brings back to "loomwise". Both
spellings are reduced here to their consonant sounds, with the pairs that Russian renderings
of English confuse counted as one (voiced and voiceless: б/п, в/ф, г/к, д/т, з/с, ж/ш; w as
в), vowels and repeats dropped. Only names are keyed and only Cyrillic query words that find
nothing else are looked up, so the coarse key never widens an ordinary query.
"""

from __future__ import annotations

import re
from functools import lru_cache

# A key this short says too little to find a name by.
MIN_KEY = 3

# English spellings of one sound, longest first, each as the class of its sound.
ENGLISH_SOUNDS = [
    ("tch", "C"),
    ("sch", "S"),
    ("sh", "S"),
    ("ch", "C"),
    ("zh", "S"),
    ("th", "T"),
    ("ph", "F"),
    ("ck", "K"),
    ("qu", "KF"),
    ("wh", "F"),
    ("gh", ""),
    ("x", "KS"),
    ("j", "J"),
    ("b", "P"),
    ("p", "P"),
    ("v", "F"),
    ("f", "F"),
    ("w", "F"),
    ("g", "K"),
    ("k", "K"),
    ("q", "K"),
    ("d", "T"),
    ("t", "T"),
    ("z", "S"),
    ("s", "S"),
    ("l", "L"),
    ("m", "M"),
    ("n", "N"),
    ("r", "R"),
    ("h", "H"),
]
ENGLISH_RE = re.compile("|".join(spelling for spelling, _ in ENGLISH_SOUNDS))
ENGLISH_CLASS = dict(ENGLISH_SOUNDS)
# Spellings read differently where they stand: a soft c, a silent k or w at the start, and a
# "w" after a vowel and not before one, which is a vowel sound ("snow").
ENGLISH_RESPELLINGS = [
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"c(?!h)"), "k"),
    (re.compile(r"^kn"), "n"),
    (re.compile(r"^wr"), "r"),
    (re.compile(r"(?<=[aeiou])w(?![aeiou])"), ""),
]

RUSSIAN_SOUNDS = {
    "дж": "J",
    "тч": "C",
    "б": "P",
    "п": "P",
    "в": "F",
    "ф": "F",
    "г": "K",
    "к": "K",
    "д": "T",
    "т": "T",
    "з": "S",
    "с": "S",
    "ж": "S",
    "ш": "S",
    "щ": "S",
    "ч": "C",
    "ц": "TS",
    "х": "H",
    "л": "L",
    "м": "M",
    "н": "N",
    "р": "R",
}
RUSSIAN_RE = re.compile("дж|тч|[бпвфгкдтзсжшщчцхлмнр]")


def _collapse(key: str) -> str:
    return re.sub(r"(.)\1+", r"\1", key)


@lru_cache(maxsize=20_000)
def english_key(word: str) -> str | None:
    """The sound key of a folded word in Latin letters, or None when it says too little."""
    if not word.isascii() or not word.isalpha():
        return None
    for pattern, spelling in ENGLISH_RESPELLINGS:
        word = pattern.sub(spelling, word)
    key = _collapse("".join(ENGLISH_CLASS[match.group()] for match in ENGLISH_RE.finditer(word)))
    return key if len(key) >= MIN_KEY else None


@lru_cache(maxsize=20_000)
def russian_key(word: str) -> str | None:
    """The sound key of a folded Cyrillic word, or None when it says too little."""
    if not is_cyrillic(word):
        return None
    key = _collapse("".join(RUSSIAN_SOUNDS[match.group()] for match in RUSSIAN_RE.finditer(word)))
    return key if len(key) >= MIN_KEY else None


def is_cyrillic(word: str) -> bool:
    """Whether a word is all Cyrillic letters."""
    return word.isalpha() and all("\u0400" <= char <= "\u04ff" for char in word)

"""Words in two languages: folding, tokenising, transliteration, synonyms and query cleaning.

Engine-neutral: both search engines build their documents and queries from these functions.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import cyrtranslit

SYNONYMS_FILE = Path(__file__).resolve().parents[2] / "data" / "synonyms.txt"

# A word is a run of letters and digits; "3d-печать" is two words, as the analyzers see it.
WORD_RE = re.compile(r"[^\W_]+")
CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
LATIN_RE = re.compile(r"[a-zA-Z]")
# Longest query the engines are given, and the most words they look at: beyond that a query
# only costs time (a 10,000-character paste is still answered, from its first words).
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12


def fold(text: str) -> str:
    """Lower-case and fold "ё" into "е", as Russian is usually typed."""
    return text.casefold().replace("ё", "е")


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return WORD_RE.findall(fold(text))


def has_cyrillic(text: str) -> bool:
    return bool(CYRILLIC_RE.search(text))


def has_latin(text: str) -> bool:
    return bool(LATIN_RE.search(text))


def to_latin(text: str) -> str:
    """Russian Cyrillic spelled in Latin letters ("Калибр" -> "kalibr")."""
    return cyrtranslit.to_latin(fold(text), "ru").replace("'", "")


def to_cyrillic(text: str) -> str:
    """Latin letters spelled in Russian Cyrillic ("kalibr" -> "калибр")."""
    return cyrtranslit.to_cyrillic(fold(text), "ru")


def transliterations(text: str) -> list[str]:
    """The text spelled in the other alphabet(s), folded; empty when nothing changes."""
    return list(_transliterations(text))


# Indexing asks for a name's spellings more than once per organisation, and cities repeat.
@lru_cache(maxsize=4096)
def _transliterations(text: str) -> tuple[str, ...]:
    folded = fold(text)
    variants = []
    if has_cyrillic(folded):
        variants.append(to_latin(folded))
    if has_latin(folded):
        variants.append(to_cyrillic(folded))
    return tuple(variant for variant in dict.fromkeys(variants) if variant != folded)


def _phrase(text: str) -> str:
    return " ".join(words(text))


@lru_cache(maxsize=4)
def synonym_groups(path: Path = SYNONYMS_FILE) -> tuple[tuple[str, ...], ...]:
    """The synonym groups of the file, each a tuple of folded phrases."""
    groups = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        phrases = tuple(dict.fromkeys(p for p in (_phrase(t) for t in line.split(",")) if p))
        if len(phrases) > 1:
            groups.append(phrases)
    return tuple(groups)


@lru_cache(maxsize=4)
def _groups_by_word(path: Path) -> dict[str, tuple[int, ...]]:
    # Each group under the first word of each of its phrases: a phrase can only be in a text
    # that has its first word, so a document looks at a handful of groups instead of all.
    by_word: dict[str, list[int]] = {}
    for number, group in enumerate(synonym_groups(path)):
        for phrase in group:
            by_word.setdefault(phrase.split(" ", 1)[0], []).append(number)
    return {word: tuple(dict.fromkeys(numbers)) for word, numbers in by_word.items()}


def synonym_expansions(text: str, path: Path = SYNONYMS_FILE) -> list[str]:
    """Phrases synonymous with those in the text that the text does not already contain."""
    found = words(text)
    padded = f" {' '.join(found)} "
    groups = synonym_groups(path)
    by_word = _groups_by_word(path)
    candidates = sorted({n for word in set(found) for n in by_word.get(word, ())})
    extra: list[str] = []
    for number in candidates:
        group = groups[number]
        if any(f" {phrase} " in padded for phrase in group):
            extra.extend(phrase for phrase in group if f" {phrase} " not in padded)
    return list(dict.fromkeys(extra))


def _is_control(char: str) -> bool:
    return unicodedata.category(char)[0] == "C"


def clean_query(text: str | None) -> str:
    """Turn anything typed into plain words: no control characters, syntax or runaway length.

    Quotes, brackets, operators and `field:value` syntax become spaces, so an unbalanced quote
    or an unknown field is searched as the words around it. Hyphens inside a word stay
    ("3d-печать"); a leading one (a "NOT" in some query languages) does not.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text)[: MAX_QUERY_CHARS * 4])
    text = "".join(" " if _is_control(char) else char for char in text)
    text = re.sub(r"(?<![^\W_])-|-(?![^\W_])", " ", text)
    text = re.sub(r"[^\w\s-]|_", " ", text)
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        cut = text[:MAX_QUERY_CHARS]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return text


def query_words(text: str) -> list[str]:
    """The words of a cleaned query that an engine should search for, at most MAX_QUERY_WORDS."""
    return words(text)[:MAX_QUERY_WORDS]

"""Words in two languages: folding, tokenising, transliteration, sort keys and query cleaning.

Engine-neutral: both search engines build their documents and queries from these functions.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import cyrtranslit

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


# Where each kind of character sorts, as in ICU's collations: spaces, then punctuation and
# symbols, digits, letters (Latin before Cyrillic at the root, Cyrillic first in Russian).
_SPACE, _MARK, _DIGIT, _LATIN, _CYRILLIC, _OTHER = range(6)


def _sort_class(char: str) -> int:
    if char.isspace():
        return _SPACE
    if char.isdigit():
        return _DIGIT
    if not char.isalpha():
        return _MARK
    if CYRILLIC_RE.match(char):
        return _CYRILLIC
    return _LATIN if char.isascii() else _OTHER


def _latin_base(char: str) -> str:
    # A Latin letter with an accent sorts with its base letter ("é" with "e").
    decomposed = unicodedata.normalize("NFD", char)
    return decomposed[0] if len(char) == 1 and decomposed[0].isascii() else char


@lru_cache(maxsize=8192)
def sort_key(name: str, cyrillic_first: bool = False) -> str:
    """A key that orders names as ICU's root collation ("und-x-icu") does, or its Russian one.

    Latin names before Cyrillic ones (Cyrillic first in the Russian order), each
    alphabetically; case, "ё" and accents only tell apart names that are otherwise equal (a
    lower-case letter first, "е" before "ё"). Compared as plain strings, so the Whoosh index
    sorts by it as PostgreSQL sorts with ICU.
    """
    keys = [_char_keys(char, cyrillic_first) for char in unicodedata.normalize("NFC", name)]
    primary, secondary, tertiary = zip(*keys, strict=True) if keys else ((), (), ())
    return "".join(primary) + "\x00" + "".join(secondary) + "\x00" + "".join(tertiary)


@lru_cache(maxsize=4096)
def _char_keys(char: str, cyrillic_first: bool) -> tuple[str, str, str]:
    # One character's parts of the three levels of sort_key: a rebuild sorts every name.
    order = {_LATIN: _CYRILLIC, _CYRILLIC: _LATIN} if cyrillic_first else {}
    folded = char.casefold()
    base = "е" if folded == "ё" else _latin_base(folded)
    primary = "".join(
        chr(0x10000 * (order.get(kind, kind) + 1) + ord(part))
        for part, kind in ((part, _sort_class(part)) for part in base)
    )
    secondary = ("1" if base != folded else "0") * len(base)
    tertiary = ("1" if char != folded else "0") * len(base)
    return primary, secondary, tertiary

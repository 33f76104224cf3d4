"""Synonym groups of the cluster's jargon (data/synonyms.txt), matched by terms, not spelling.

A group's phrase is found in a text where the text has its terms in a row, so "пошива штор"
holds the phrase "пошив" and "digital textile printing" holds "textile printing" whatever
their endings. The other phrases of the group are then added to what the text is found by.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import chain
from pathlib import Path

from . import language, terms

SYNONYMS_FILE = Path(__file__).resolve().parents[2] / "data" / "synonyms.txt"

Phrase = tuple[frozenset[str], ...]


@lru_cache(maxsize=4)
def groups(path: Path = SYNONYMS_FILE) -> tuple[tuple[str, ...], ...]:
    """The synonym groups of the file, each a tuple of folded phrases."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        phrases = (" ".join(language.words(text)) for text in line.split(","))
        unique = tuple(dict.fromkeys(phrase for phrase in phrases if phrase))
        if len(unique) > 1:
            found.append(unique)
    return tuple(found)


def _phrase_terms(phrase: str) -> Phrase:
    # Each word as the set of its terms; stop words ("печать на ткани") are left out.
    found = (frozenset(terms.word_terms(word)) for word in phrase.split())
    return tuple(word for word in found if word)


@lru_cache(maxsize=4)
def _index(
    path: Path,
) -> tuple[tuple[tuple[Phrase, ...], ...], dict[str, tuple[int, ...]], frozenset[str]]:
    # Each group's phrases as terms, each group under every term its phrases start with (a
    # phrase can only be in a text that has one of its first terms), and every phrase's terms.
    phrases = tuple(tuple(_phrase_terms(phrase) for phrase in group) for group in groups(path))
    by_term: dict[str, list[int]] = {}
    for number, group in enumerate(phrases):
        for phrase in group:
            for term in phrase[0] if phrase else ():
                by_term.setdefault(term, []).append(number)
    vocabulary = frozenset(
        term for group in phrases for phrase in group for part in phrase for term in part
    )
    found = {term: tuple(dict.fromkeys(numbers)) for term, numbers in by_term.items()}
    return phrases, found, vocabulary


def expansions(text: str, path: Path = SYNONYMS_FILE) -> list[str]:
    """Phrases synonymous with those in the text that the text does not already hold."""
    words = [found for found in map(terms.word_terms, language.WORD_RE.findall(text)) if found]
    phrases, by_term, vocabulary = _index(path)
    # The text's terms that some phrase has: most texts have few, many none.
    present = vocabulary.intersection(chain.from_iterable(words))
    if not present:
        return []

    def holds(phrase: Phrase) -> bool:
        # Most phrases fail here: some word of theirs is not in the text at all.
        if any(part.isdisjoint(present) for part in phrase):
            return False
        if len(phrase) == 1:
            return True
        first, size = phrase[0], len(phrase)
        return any(
            all(not part.isdisjoint(words[start + k]) for k, part in enumerate(phrase))
            for start in range(len(words) - size + 1)
            if not first.isdisjoint(words[start])
        )

    extra: list[str] = []
    for number in sorted({n for term in present for n in by_term.get(term, ())}):
        held = [bool(phrase) and holds(phrase) for phrase in phrases[number]]
        if any(held):
            group = groups(path)[number]
            extra.extend(phrase for phrase, has in zip(group, held, strict=True) if not has)
    return list(dict.fromkeys(extra))

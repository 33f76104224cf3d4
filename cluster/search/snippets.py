"""Snippets: the fragments of a profile's text around the words a query matched, marked.

Both engines cut them here, from the stored text and the query's terms (terms.py), so a word
is marked whenever it is what matched, in whatever form it was written.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from . import language, terms

# Characters of context each side of a match, a fragment's length, and how many are shown.
SURROUND = 60
MAX_CHARS = 220
FRAGMENTS = 2
BETWEEN = " … "


def _matches(text: str, wanted: set[str], prefixes: tuple[str, ...]) -> list[tuple[int, int]]:
    found = []
    for match in language.WORD_RE.finditer(text):
        word = match.group()
        if not wanted.isdisjoint(terms.word_terms(word)) or (
            prefixes and language.fold(word).startswith(prefixes)
        ):
            found.append(match.span())
    return found


def _fragments(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    # Windows around the matches, merged while they fit in one fragment: (start, stop, hits).
    found: list[list[int]] = []
    for start, stop in spans:
        low, high = max(0, start - SURROUND), min(len(text), stop + SURROUND)
        if found and low <= found[-1][1] and high - found[-1][0] <= MAX_CHARS:
            found[-1][1], found[-1][2] = high, found[-1][2] + 1
        else:
            found.append([low, high, 1])
    return [(low, high, hits) for low, high, hits in found]


def _word_edges(text: str, low: int, high: int) -> tuple[int, int]:
    # Cut at spaces, not inside a word.
    while 0 < low < len(text) and not text[low - 1].isspace():
        low += 1
    while high < len(text) and not text[high].isspace() and high > low:
        high -= 1
    return low, high


def snippet(text: str, wanted: set[str], prefixes: Iterable[str] = ()) -> str | None:
    """Safe HTML: up to two fragments of the text with the wanted terms (or the words that
    start with a prefix, for a word still being typed) marked; None if nothing matches."""
    starts = tuple(prefixes)
    spans = _matches(text, wanted, starts) if (wanted or starts) and text else []
    if not spans:
        return None
    fragments = _fragments(text, spans)
    best = sorted(sorted(fragments, key=lambda f: (-f[2], f[0]))[:FRAGMENTS])
    parts = []
    for low, high, _ in best:
        low, high = _word_edges(text, low, high)
        inside = [(start, stop) for start, stop in spans if low <= start and stop <= high]
        html, at = [], low
        for start, stop in inside:
            html.append(escape(text[at:start]))
            html.append(f"<mark>{escape(text[start:stop])}</mark>")
            at = stop
        html.append(escape(text[at:high]))
        parts.append("".join(html).strip())
    return BETWEEN.join(part for part in parts if part) or None

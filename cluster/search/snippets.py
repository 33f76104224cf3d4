"""Snippets: the fragments of a profile's text around the words a query matched, marked.

Both engines cut them here, from the stored text and the query's terms (terms.py), so a word
is marked whenever it is what matched, in whatever form it was written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape, unescape

from . import language, terms

# Characters of context each side of a match, a fragment's length, and how many are shown.
SURROUND = 60
MAX_CHARS = 220
FRAGMENTS = 2
BETWEEN = " … "
TAG_RE = re.compile(r"<[^>]*>")
# The most lines of a snippet a result card shows under its summary.
LINES_BEYOND = 2


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


def _plain(html: str) -> str:
    # The words a reader sees, for comparing: no marks, entities read, spaces folded, any case.
    return " ".join(unescape(TAG_RE.sub("", html)).split()).casefold()


def beyond(snippet_html: str | None, *shown: str | None) -> str | None:
    """The lines of a snippet with a matched word that say something the texts already shown
    beside it (a card's summary, offers and needs) do not, at most LINES_BEYOND of them; None
    when nothing is left.

    A snippet's text is the profile's texts and lists one per line, so a line is one of them.
    """
    if not snippet_html:
        return None
    seen = [_plain(escape(text)) for text in shown if text]
    lines = [line.strip() for part in snippet_html.split(BETWEEN) for line in part.split("\n")]
    kept = [
        line
        for line in lines
        if "<mark>" in line and not any(_plain(line) in text for text in seen)
    ]
    return BETWEEN.join(kept[:LINES_BEYOND]) or None

"""The capability vocabulary (data/capabilities.toml): what an organisation offers or needs.

A capability is found in a text where the text holds its label or one of its synonyms as
words in a row, compared by their terms (cluster/search/terms.py: dictionary lemmas, then
Snowball stems), so "пошива верхней одежды" holds "пошив верхней одежды" and "pattern makers"
holds "pattern maker". Stop words are skipped on both sides ("печать на ткани").
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from ..search import language, terms
from . import parsers

VOCABULARY_FILE = Path(__file__).resolve().parents[2] / "data" / "capabilities.toml"

# One word as the set of its terms; a phrase is a row of them.
Phrase = tuple[frozenset[str], ...]
# Texts whose capabilities a vocabulary remembers: an import of 100,000 rows names the same
# few thousand items again and again ("digital printing"), each matched once.
TEXTS_REMEMBERED = 50_000


@dataclass(frozen=True)
class Family:
    slug: str
    en: str
    ru: str

    def label(self, locale: str | None = None) -> str:
        """Its label in a language ("ru" or "en"), the page's language by default."""
        return self.ru if (locale or current_locale()) == "ru" else self.en


@dataclass(frozen=True)
class Capability:
    slug: str
    family: str
    en: str
    ru: str
    synonyms_en: tuple[str, ...]
    synonyms_ru: tuple[str, ...]
    # A wider capability that offering this one is part of ("small-batch-sewing" of
    # "garment-sewing"), or "".
    broader: str = ""

    @property
    def phrases(self) -> tuple[str, ...]:
        """Every text that names it: both labels and every synonym."""
        return (self.en, self.ru, *self.synonyms_en, *self.synonyms_ru)

    def label(self, locale: str | None = None) -> str:
        """Its label in a language ("ru" or "en"), the page's language by default."""
        return self.ru if (locale or current_locale()) == "ru" else self.en


@dataclass(frozen=True)
class Match:
    """A capability named in a row of words: words[start:stop] (stop words not counted)."""

    slug: str
    start: int
    stop: int


def current_locale() -> str:
    """The page's language, "en" outside a request."""
    try:
        locale = get_locale()
    except (RuntimeError, KeyError):
        return "en"
    return locale.language if locale is not None else "en"


class LocalisedLabel:
    """A capability's label, read in the page's language whenever it is shown (like _l)."""

    def __init__(self, capability: Capability):
        self.capability = capability

    def __str__(self) -> str:
        return self.capability.label()

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))


def phrase_terms(text: str) -> Phrase:
    """A text as the term sets of its words, stop words left out."""
    found = (frozenset(terms.word_terms(word)) for word in language.WORD_RE.findall(text))
    return tuple(word for word in found if word)


class Vocabulary:
    """The file's families and capabilities, with every phrase indexed by its first terms."""

    def __init__(self, data: dict[str, Any]):
        self.families = tuple(Family(f["slug"], f["en"], f["ru"]) for f in data.get("family", ()))
        self.capabilities = tuple(
            Capability(
                slug=c["slug"],
                family=c["family"],
                en=c["en"],
                ru=c["ru"],
                synonyms_en=tuple(c.get("synonyms_en", ())),
                synonyms_ru=tuple(c.get("synonyms_ru", ())),
                broader=c.get("broader", ""),
            )
            for c in data.get("capability", ())
        )
        self.by_slug = {capability.slug: capability for capability in self.capabilities}
        self.order = {capability.slug: n for n, capability in enumerate(self.capabilities)}
        self._provider_words = tuple(data.get("provider_words", ()))
        # text -> the capabilities it names (text_slugs).
        self._named_in: dict[str, tuple[str, ...]] = {}

    # The term sets below lemmatise every phrase (a third of a second): built when a text is
    # first read, not when a process that only shows labels and choices starts.
    @cached_property
    def provider_terms(self) -> frozenset[str]:
        """The terms of the words that say a text offers something ("шьём", "we print")."""
        return frozenset(term for word in self._provider_words for term in terms.word_terms(word))

    @cached_property
    def starting(self) -> dict[str, list[tuple[Phrase, str]]]:
        """First term -> [(phrase, slug)], longest phrases first."""
        starting: dict[str, list[tuple[Phrase, str]]] = {}
        for slug, phrases in self._phrases:
            for phrase in phrases:
                for term in phrase[0]:
                    starting.setdefault(term, []).append((phrase, slug))
        for found in starting.values():
            found.sort(key=lambda entry: -len(entry[0]))
        return starting

    @cached_property
    def named(self) -> dict[Phrase, str]:
        """A whole phrase as typed -> its capability, for import cells and form values."""
        named: dict[Phrase, str] = {}
        for slug, phrases in self._phrases:
            # The slug names it in a cell, but is not looked for in free text.
            named.setdefault(phrase_terms(slug.replace("-", " ")), slug)
            for phrase in phrases:
                named.setdefault(phrase, slug)
        return named

    @cached_property
    def _phrases(self) -> tuple[tuple[str, tuple[Phrase, ...]], ...]:
        """Each capability's slug with its phrases as term sets."""
        return tuple(
            (c.slug, tuple(phrase for phrase in map(phrase_terms, c.phrases) if phrase))
            for c in self.capabilities
        )

    def text_slugs(self, text: str) -> tuple[str, ...]:
        """The capabilities one text names, in the order they occur, remembered per text."""
        slugs = self._named_in.get(text)
        if slugs is None:
            slugs = tuple(match.slug for match in self.matches(words_of(text)))
            if len(self._named_in) >= TEXTS_REMEMBERED:
                self._named_in.clear()
            self._named_in[text] = slugs
        return slugs

    def matches(self, words: list[frozenset[str]]) -> list[Match]:
        """Every capability named in a row of words (each word as its term set).

        A phrase inside a longer one of another capability does not count: "подготовка файлов
        для цифровой печати" names print files, not printing.
        """
        found = self._all_matches(words)
        return [
            match
            for match in found
            if not any(
                other.slug != match.slug
                and other.start <= match.start
                and match.stop <= other.stop
                and other.stop - other.start > match.stop - match.start
                for other in found
            )
        ]

    def _all_matches(self, words: list[frozenset[str]]) -> list[Match]:
        found: list[Match] = []
        for start, word in enumerate(words):
            seen: set[str] = set()
            for term in word:
                for phrase, slug in self.starting.get(term, ()):
                    if slug in seen or start + len(phrase) > len(words):
                        continue
                    if all(not part.isdisjoint(words[start + k]) for k, part in enumerate(phrase)):
                        seen.add(slug)
                        found.append(Match(slug, start, start + len(phrase)))
        return found

    def with_broader(self, slugs: Iterable[str]) -> list[str]:
        """The capabilities and the wider ones they are part of."""
        found = set()
        for slug in slugs:
            while slug in self.by_slug and slug not in found:
                found.add(slug)
                slug = self.by_slug[slug].broader
        return self.sorted(found)

    def sorted(self, slugs: Iterable[str]) -> list[str]:
        """Known slugs once each, in the vocabulary's order."""
        return sorted({s for s in slugs if s in self.by_slug}, key=self.order.__getitem__)


@lru_cache(maxsize=4)
def vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """The vocabulary of the file, read once per process."""
    with path.open("rb") as file:
        return Vocabulary(tomllib.load(file))


def words_of(text: str) -> list[frozenset[str]]:
    """A text's words as term sets, stop words left out (as phrases are)."""
    return list(phrase_terms(text))


def found_in(texts: Iterable[str]) -> list[str]:
    """The capabilities the texts name, each text on its own (a phrase never spans two)."""
    vocab = vocabulary()
    return vocab.with_broader(slug for text in texts for slug in vocab.text_slugs(str(text)))


def lookup(value: str) -> str | None:
    """The capability a cell or form value names: its slug, a label or a synonym, or None."""
    vocab = vocabulary()
    text = parsers.clean_line(str(value))
    if text in vocab.by_slug:
        return text
    return vocab.named.get(phrase_terms(text)) if text else None


def parse_list(value: Any) -> list[str]:
    """A field's capabilities from slugs, labels or synonyms in either language."""
    slugs = []
    for item in parsers.items(value):
        slug = lookup(item)
        if slug is None:
            raise parsers.Invalid(
                _("unknown capability %(value)s; use a slug, label or synonym from the "
                  "capability vocabulary", value=repr(item[:60]))
            )  # fmt: skip
        slugs.append(slug)
    return vocabulary().sorted(slugs)


def label(slug: str, locale: str | None = None) -> str:
    """A capability's label in a language; an unknown slug as it is."""
    capability = vocabulary().by_slug.get(slug)
    return capability.label(locale) if capability else slug


def labels(locale: str | None = None) -> dict[str, str]:
    """Every capability's label in a language (the page's by default), by slug."""
    # The page's language looked up once, not once a capability: the API and the search
    # pages ask for these on every request.
    locale = locale or current_locale()
    return {c.slug: c.label(locale) for c in vocabulary().capabilities}


def choices() -> tuple[tuple[str, Any], ...]:
    """(slug, label) pairs for the field spec, labels read in the page's language when shown."""
    return tuple((c.slug, LocalisedLabel(c)) for c in vocabulary().capabilities)

"""Whoosh engine: an index on disk shared by every worker process and the command line.

Layout of INDEX_DIR: a file CURRENT naming the live index directory beside it. A rebuild
writes a fresh directory and then rewrites CURRENT in one atomic rename, so searches keep
working on the old index until the new one is complete.
"""

from __future__ import annotations

import fcntl
import itertools
import logging
import os
import shutil
import threading
import time
import uuid
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import cast

import numpy as np
import Stemmer
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from whoosh import index as whoosh_index
from whoosh.analysis import Filter, RegexTokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, HtmlFormatter, highlight
from whoosh.index import LockError
from whoosh.lang.stopwords import stoplists
from whoosh.query import And, AndMaybe, Or, Prefix, Term
from whoosh.reading import TermNotFound
from whoosh.system import pack_uint

from . import documents, language
from .base import FACETS, Hit, SearchQuery, SearchResult, Suggestion

log = logging.getLogger(__name__)

POINTER = "CURRENT"
NAME_BOOST = 3.0
EXACT_NAME_BOOST = 10.0
# A prefix typed so far expands to at most this many indexed words.
PREFIX_EXPANSION = 30
# How long one attempt waits for the shared write lock, and how long a write keeps trying.
LOCK_TIMEOUT = 2.0
WRITE_PATIENCE = 120.0
READ_ATTEMPTS = 20
# Matching documents of this many recent query terms are kept per index generation.
TERM_CACHE = 2000
# Old index directories are removed after a rebuild once nobody can still be building them.
STALE_BUILD_SECONDS = 3600

# Index field holding each facet (the facet names are the interface's).
FACET_FIELDS = {facet: facet for facet in FACETS}


# --- analysis ---------------------------------------------------------------------------------

_stemmers = threading.local()


def _stemmer(lang: str) -> Stemmer.Stemmer:
    # PyStemmer objects are not thread-safe: one per thread.
    stemmer = getattr(_stemmers, lang, None)
    if stemmer is None:
        stemmer = Stemmer.Stemmer(lang)
        setattr(_stemmers, lang, stemmer)
    return stemmer


# After Snowball, Russian adjectives keep a suffix their nouns lack ("текстильн" from
# "текстильное", "текстил" from "текстиль"); dropping it lets the two meet.
RUSSIAN_DERIVATIONAL = ("ьн", "ск", "н", "ов", "ев")


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


class FoldFilter(Filter):
    """Lower-case and fold "ё" into "е"."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = language.fold(token.text)
            yield token


STOP_WORDS = frozenset(stoplists["en"]) | frozenset(stoplists["ru"])


@lru_cache(maxsize=200_000)
def analyse_word(word: str) -> str | None:
    """The indexed form of one word as tokenised: folded and stemmed, or None for a stop word."""
    folded = language.fold(word)
    if len(folded) < 2 or folded in STOP_WORDS:
        return None
    return stem(folded)


class BilingualStemFilter(Filter):
    """Fold, drop stop words and stem in one pass: Cyrillic as Russian, the rest as English.

    One cached lookup per token; indexing spends most of its time here.
    """

    def __call__(self, tokens):
        for token in tokens:
            analysed = analyse_word(token.text)
            if analysed is None:
                if token.removestops:
                    continue
                token.stopped = True
                token.text = language.fold(token.text)
            else:
                token.text = analysed
            yield token


TOKENIZER_PATTERN = language.WORD_RE.pattern
TEXT_ANALYZER = RegexTokenizer(TOKENIZER_PATTERN) | BilingualStemFilter()
# Whole words as typed, for autocomplete.
WORD_ANALYZER = RegexTokenizer(TOKENIZER_PATTERN) | FoldFilter()


class StemmedText(TEXT):
    """A TEXT field analysed by TEXT_ANALYZER that indexes without a Token object per word.

    The terms are the analyzer's (each word of WORD_RE folded and stemmed, stop words left
    out), counted as Whoosh's Frequency format counts them; building them with map() and a
    Counter instead of the token pipeline made indexing about twice as fast.
    """

    def __init__(self, **kwargs):
        super().__init__(analyzer=TEXT_ANALYZER, phrase=False, **kwargs)

    def index(self, value, **kwargs):
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        counts = Counter(filter(None, map(analyse_word, language.WORD_RE.findall(value))))
        boost = self.format.field_boost
        for term, freq in counts.items():
            yield (term.encode("utf-8"), freq, *_frequency_posting(freq, boost))


class WordText(TEXT):
    """A TEXT field analysed by WORD_ANALYZER (whole folded words), indexed the same fast way."""

    def __init__(self, **kwargs):
        super().__init__(analyzer=WORD_ANALYZER, phrase=False, **kwargs)

    def index(self, value, **kwargs):
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        counts = Counter(map(language.fold, language.WORD_RE.findall(value)))
        boost = self.format.field_boost
        for term, freq in counts.items():
            yield (term.encode("utf-8"), freq, *_frequency_posting(freq, boost))


@lru_cache(maxsize=1024)
def _frequency_posting(freq: int, boost: float) -> tuple[float, bytes]:
    # One shared weight and value per frequency: a rebuild holds every posting in memory.
    return freq * boost, pack_uint(freq)


class TermPool:
    """The postings of a fresh index, grouped by term as documents are added.

    Whoosh's own pool sorts every posting and, past its memory limit, spills sorted runs to
    disk and merges them back: at 100,000 organisations that took most of a rebuild. A fresh
    index adds documents in docnum order, so grouping by term and sorting only the terms
    yields the postings in the same order, in a fraction of the memory.
    """

    def __init__(self):
        # (fieldname, term bytes) -> (docnums, weights, encoded values)
        self.terms: dict[tuple[str, bytes], tuple[array, list, list]] = {}
        # (fieldname, value) -> the field's index() items, for REPEATED_FIELDS
        self.items: dict[tuple[str, str], list] = {}

    def add(self, item) -> None:
        fieldname, btext, docnum, weight, value = item
        entry = self.terms.get((fieldname, btext))
        if entry is None:
            entry = self.terms[(fieldname, btext)] = (array("q"), [], [])
        entry[0].append(docnum)
        entry[1].append(weight)
        entry[2].append(value)

    def iter_postings(self):
        for key in sorted(self.terms):
            fieldname, btext = key
            docnums, weights, values = self.terms.pop(key)
            for docnum, weight, value in zip(docnums, weights, values, strict=True):
                yield fieldname, btext, docnum, weight, value

    def write(self, writer) -> None:
        """Write the postings into the writer's new segment, term by term.

        What Whoosh's FieldWriter.add_postings does with iter_postings(), without a tuple and
        the order checks per posting: the terms are already grouped and sorted here.
        """
        fields = writer.fieldwriter
        lengths = writer.per_document_reader()
        doccount = lengths.doc_count_all()
        current = None
        field_lengths = None
        for key in sorted(self.terms):
            fieldname, btext = key
            docnums, weights, values = self.terms.pop(key)
            if fieldname != current:
                if current is not None:
                    fields.finish_field()
                fields.start_field(fieldname, writer.schema[fieldname])
                current = fieldname
                field_lengths = None
                if writer.schema[fieldname].scorable:
                    length = lengths.doc_field_length
                    field_lengths = [length(d, fieldname) or 0 for d in range(doccount)]
            fields.start_term(btext)
            _add_postings(fields._postwriter, docnums, weights, values, field_lengths)
            fields.finish_term()
        if current is not None:
            fields.finish_field()
        fields.close()
        lengths.close()

    def cleanup(self) -> None:
        self.terms.clear()
        self.items.clear()


# Facet fields repeat a few values across the directory: their terms are worked out once per
# value during a rebuild instead of through the analyzer for every document.
REPEATED_FIELDS = frozenset(
    ("kind", "residency", "status", "stage", "city", "sector", "looking_for")
)


def _add_rebuild_document(writer, fields: dict) -> None:
    """What SegmentWriter.add_document does for SCHEMA's fields, straight into a TermPool.

    No boosts, spelling or vectors are used here, so it keeps only what a document needs:
    a posting per term appended to the pool without a tuple and method call each.
    """
    writer._check_state()
    perdocwriter = writer.perdocwriter
    schema = writer.schema
    docnum = writer.docnum
    terms = writer.pool.terms
    cached = writer.pool.items
    perdocwriter.start_doc(docnum)
    try:
        for fieldname in sorted(fields):
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                if fieldname in REPEATED_FIELDS:
                    key = (fieldname, value)
                    items = cached.get(key)
                    if items is None:
                        items = cached[key] = list(field.index(value))
                else:
                    items = field.index(value)
                scorable = field.scorable
                for tbytes, freq, weight, vbytes in items:
                    if scorable:
                        length += freq
                    entry = terms.get((fieldname, tbytes))
                    if entry is None:
                        entry = terms[(fieldname, tbytes)] = (array("q"), [], [])
                    entry[0].append(docnum)
                    entry[1].append(weight * 1.0)
                    entry[2].append(vbytes)
            perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
            column = field.column_type
            if column:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
    except Exception:
        perdocwriter.cancel_doc()
        raise
    perdocwriter.finish_doc()
    writer._added = True
    writer.docnum += 1


def _add_postings(postwriter, docnums, weights, values, field_lengths) -> None:
    # What W3PostingsWriter.add_posting does once per posting, a block at a time: the same
    # buffered ids, weights, values and statistics, the same blocks written.
    limit = postwriter._blocklimit
    for start in range(0, len(docnums), limit):
        if start:
            postwriter._write_block()
        ids = docnums[start : start + limit]
        block_weights = weights[start : start + limit]
        postwriter._ids.extend(array("I", ids))
        postwriter._weights.extend(block_weights)
        postwriter._maxweight = max(postwriter._maxweight, *block_weights)
        postwriter._values.extend(value for value in values[start : start + limit] if value)
        if field_lengths is not None:
            block_lengths = [field_lengths[d] for d in ids]
            present = [length for length in block_lengths if length]
            if present:
                low = min(present)
                if postwriter._minlength is None or low < postwriter._minlength:
                    postwriter._minlength = low
                postwriter._maxlength = max(postwriter._maxlength, *present)


def _flush_term_pool(writer) -> None:
    # SegmentWriter._flush_segment for a writer whose pool is a TermPool.
    writer.perdocwriter.close()
    writer.pool.write(writer)


def _cached_column_reader(self, fieldname, column):
    # Whoosh asks for a document's field length for every posting it writes and every match
    # it scores. For a field without lengths (ids, keywords) it looked for the missing column
    # file each time, one stat() per posting: a segment's files never change once written, so
    # a miss is final. Lengths (a byte per document) are read into memory once, not from the
    # file per call.
    try:
        return self._readers[fieldname]
    except KeyError:
        reader = None
        if self.has_column(fieldname):
            reader = self.column_reader(fieldname, column)
            if column is LENGTHS_COLUMN:
                lengths = reader.load()
                lengths.extend([0] * (self._doccount - len(lengths)))  # as a short column reads
                reader = lengths
        self._readers[fieldname] = reader
        return reader


W3PerDocReader._cached_reader = _cached_column_reader

SCHEMA = Schema(
    id=ID(stored=True, unique=True),
    slug=STORED,
    title=STORED,
    summary=STORED,
    body=STORED,
    version=STORED,
    kind=ID(stored=True),
    residency=ID(stored=True),
    status=ID(stored=True),
    stage=ID(stored=True),
    city=ID(stored=True),
    sector=KEYWORD(stored=True, commas=True),
    looking_for=KEYWORD(stored=True, commas=True),
    name=StemmedText(),
    name_exact=KEYWORD(commas=True),
    name_words=WordText(),
    text=StemmedText(),
    name_sort=ID(sortable=True),
    # Only ever sorted by: a column, no postings.
    created=COLUMN(NumericColumn("q")),
)

# The rebuild's add_document leaves out what SCHEMA does not use; it must stay that way.
assert not any(field.vector or field.separate_spelling() for _, field in SCHEMA.items()), (
    "a field needs Whoosh's own add_document"
)


def _phrase(text: str) -> str:
    return " ".join(language.words(text))


def index_fields(doc: dict) -> dict:
    """The Whoosh fields of one document (see documents.document)."""
    names = documents.name_variants(doc)
    text = documents.search_text(doc)
    fields = {
        "id": str(doc["id"]),
        "slug": doc["slug"],
        "title": doc["name"],
        "summary": doc["summary"],
        "body": documents.snippet_text(doc),
        "version": doc["version"],
        "name": " ".join(names),
        "name_words": " ".join(names),
        "text": text,
        "name_sort": language.fold(doc["name"]) or " ",
        "created": int(doc["created_at"].timestamp()),
    }
    exact = [phrase for phrase in (_phrase(name) for name in names) if phrase]
    if exact:
        fields["name_exact"] = ",".join(exact)
    for facet in ("kind", "residency", "status", "stage", "city"):
        if doc[facet]:
            fields[facet] = doc[facet]
    for facet, key in (("sector", "sectors"), ("looking_for", "looking_for")):
        values = [value.replace(",", " ") for value in doc[key]]
        if values:
            fields[facet] = ",".join(values)
    return fields


class MarkFormatter(HtmlFormatter):
    """Escaped text with each match in <mark>."""

    template = "<%(tag)s>%(t)s</%(tag)s>"

    def __init__(self):
        super().__init__(tagname="mark", between=" … ")


# --- what one open reader knows, computed once per index generation -------------------------


@dataclass
class FacetColumn:
    """One facet's values for every docnum, as arrays NumPy counts over."""

    values: list[str]
    # docnum -> index into values (-1: none), when no document has two values.
    codes: np.ndarray | None = None
    # docnum x value -> has it, for facets a document may have several values of.
    matrix: np.ndarray | None = None

    def having(self, wanted: Iterable[str]) -> np.ndarray:
        """A docnum mask of the documents with any of these values."""
        wanted = set(wanted)
        columns = [i for i, value in enumerate(self.values) if value in wanted]
        if self.codes is not None:
            lookup = np.zeros(len(self.values) + 1, dtype=bool)
            lookup[[c + 1 for c in columns]] = True
            return cast(np.ndarray, lookup[self.codes + 1])
        matrix = cast(np.ndarray, self.matrix)
        if not columns:
            return np.zeros(matrix.shape[0], dtype=bool)
        return np.asarray(matrix[:, columns].any(axis=1))

    def counts(self, among: np.ndarray) -> dict[str, int]:
        """Value -> how many of the masked documents have it, zeros left out."""
        chosen = np.flatnonzero(among)
        if self.codes is not None:
            totals = np.bincount(self.codes[chosen] + 1, minlength=len(self.values) + 1)[1:]
        else:
            totals = cast(np.ndarray, self.matrix)[chosen].sum(axis=0)
        return {self.values[i]: int(totals[i]) for i in np.flatnonzero(totals)}


def _facet_column(reader, fieldname: str, size: int) -> FacetColumn:
    # Postings, not stored fields: they leave deleted documents out.
    values, members = [], []
    for btext in reader.lexicon(fieldname):
        values.append(btext.decode("utf-8"))
        members.append(np.fromiter(reader.postings(fieldname, btext).all_ids(), dtype=np.int64))
    seen = np.zeros(size, dtype=np.int32)
    for docs in members:
        seen[docs] += 1
    if members and seen.max() > 1:
        matrix = np.zeros((size, len(values)), dtype=bool)
        for column, docs in enumerate(members):
            matrix[docs, column] = True
        return FacetColumn(values, matrix=matrix)
    codes = np.full(size, -1, dtype=np.int32)
    for code, docs in enumerate(members):
        codes[docs] = code
    return FacetColumn(values, codes=codes)


@dataclass
class ReaderData:
    """What searches need from one open reader, computed once per index generation."""

    size: int
    # facet -> its column; "status" included.
    facets: dict[str, FacetColumn]
    vocabulary: list[str] | None = None
    # (field, term) -> (docnums, weights), for the terms queries have asked about lately.
    term_postings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict
    )
    # field -> each docnum's length of it, as Whoosh's scoring reads it.
    lengths: dict[str, np.ndarray] = field(default_factory=dict)
    sort_positions: dict[str, np.ndarray] = field(default_factory=dict)
    # (facet, values) -> set of docnums for Whoosh's filter= argument (which takes a set, not
    # a frozenset); shared, so never changed.
    docnum_sets: dict[tuple, set[int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def positions(self, reader, fieldname: str) -> np.ndarray:
        """Each docnum's place in the order of a sortable column (name or creation time)."""
        positions = self.sort_positions.get(fieldname)
        if positions is None:
            column = reader.column_reader(fieldname)
            order = sorted(range(self.size), key=column.__getitem__)
            positions = np.empty(self.size, dtype=np.int64)
            positions[order] = np.arange(self.size)
            self.sort_positions[fieldname] = positions
        return positions

    def postings(self, reader, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The docnums having a term (deleted ones left out) and the term's weight in each."""
        key = (fieldname, term)
        found = self.term_postings.get(key)
        if found is None:
            docnums, weights = [], []
            try:
                matcher = reader.postings(fieldname, term)
                while matcher.is_active():
                    docnums.append(matcher.id())
                    weights.append(matcher.weight())
                    matcher.next()
            except TermNotFound:
                pass
            found = (np.array(docnums, dtype=np.int64), np.array(weights, dtype=np.float64))
            if len(self.term_postings) >= TERM_CACHE:
                self.term_postings.pop(next(iter(self.term_postings)), None)
            self.term_postings[key] = found
        return found

    def text_docs(self, reader, term: str) -> np.ndarray:
        """A docnum mask of the documents with this term in the "text" field."""
        docs = np.zeros(self.size, dtype=bool)
        docs[self.postings(reader, "text", term)[0]] = True
        return docs

    def field_lengths(self, reader, fieldname: str) -> np.ndarray:
        lengths = self.lengths.get(fieldname)
        if lengths is None:
            lengths = np.array(
                [reader.doc_field_length(docnum, fieldname, 0) for docnum in range(self.size)],
                dtype=np.float64,
            )
            self.lengths[fieldname] = lengths
        return lengths

    def docs_with(self, facet: str, values: Iterable[str]) -> np.ndarray:
        """A docnum mask of the documents with any of these values of a facet."""
        return self.facets[facet].having(values)

    def docnum_set(self, facet: str, values: tuple[str, ...]) -> set[int]:
        key = (facet, values)
        docs = self.docnum_sets.get(key)
        if docs is None:
            docs = set(np.flatnonzero(self.docs_with(facet, values)).tolist())
            self.docnum_sets[key] = docs
        return docs


@dataclass
class Plan:
    """A user's text turned into Whoosh queries."""

    query: object | None = None
    # Any-word query tried when requiring every word finds nothing.
    fallback: object | None = None
    # Per query word, the "text" terms any of which it matches (names are in "text" too).
    clauses: list[list[str]] = field(default_factory=list)
    # Each mistyped word with the indexed (stemmed) word searched instead.
    corrections: dict[str, str] = field(default_factory=dict)
    # Indexed (stemmed) words to highlight in snippets.
    terms: set[str] = field(default_factory=set)
    # The query as "name_exact" terms, scored on top when a name is exactly what was typed.
    exact: list[str] = field(default_factory=list)


class _IndexSwitched(Exception):
    """A rebuild made another directory live while a writer waited for the old one."""


class WhooshBackend:
    """The embedded engine (see cluster.search.base.SearchBackend)."""

    def __init__(self, index_dir: str):
        self.root = Path(index_dir)
        self._local = threading.local()
        self._data: dict[tuple[str, int], ReaderData] = {}
        self._data_lock = threading.Lock()

    # --- directories ---------------------------------------------------------------------------

    @contextmanager
    def _root_lock(self):
        # Serialises creating the first index between processes starting at once.
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".create.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _read_pointer(self) -> str | None:
        try:
            return (self.root / POINTER).read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def _write_pointer(self, name: str) -> None:
        temporary = self.root / f"{POINTER}.{uuid.uuid4().hex}"
        temporary.write_text(name, encoding="utf-8")
        os.replace(temporary, self.root / POINTER)

    def _new_directory(self, prefix: str) -> tuple[str, Path]:
        name = f"{prefix}-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        path = self.root / name
        path.mkdir(parents=True)
        return name, path

    def current_name(self) -> str:
        """The live index directory's name, creating an empty index the first time."""
        name = self._read_pointer()
        if name and (self.root / name).is_dir():
            return name
        with self._root_lock():
            name = self._read_pointer()
            if name and (self.root / name).is_dir():
                return name
            name, path = self._new_directory("index")
            whoosh_index.create_in(str(path), SCHEMA)
            self._write_pointer(name)
            return name

    def _open_index(self):
        # Opening races with other processes' commits, which delete the files of the
        # generation being opened; the next attempt finds the newer one.
        for attempt in range(READ_ATTEMPTS):
            name = self.current_name()
            try:
                return name, whoosh_index.open_dir(str(self.root / name))
            except FileNotFoundError:
                if attempt == READ_ATTEMPTS - 1:
                    raise
                time.sleep(0.01)

    # --- reading ------------------------------------------------------------------------------

    def _searcher(self):
        """This thread's searcher, reopened whenever another commit has been made.

        Not Searcher.refresh(): it reuses readers of segments whose deletions have changed
        since, so an edited or deleted organisation would still be found.
        """
        local = self._local
        name = self.current_name()
        searcher = getattr(local, "searcher", None)
        if searcher is not None and local.pid == os.getpid() and local.name == name:
            if local.ix.latest_generation() == searcher.reader().generation():
                return searcher
            searcher.close()
        elif searcher is not None and local.pid == os.getpid():
            searcher.close()
        local.searcher = None
        name, local.ix = self._open_index()
        local.searcher, local.pid, local.name = local.ix.searcher(), os.getpid(), name
        return local.searcher

    def _reading(self, read: Callable, *args):
        """Call read(searcher, *args), starting again with a new searcher if files vanished.

        A searcher opens some files only when first needed; another process's commit may
        have merged them away by then.
        """
        for attempt in range(READ_ATTEMPTS):
            try:
                return read(self._searcher(), *args)
            except FileNotFoundError:
                self._local.searcher = None
                if attempt == READ_ATTEMPTS - 1:
                    raise
                time.sleep(0.01)

    def _reader_data(self, searcher) -> ReaderData:
        reader = searcher.reader()
        key = (self._local.name, reader.generation())
        data = self._data.get(key)
        if data is None:
            size = reader.doc_count_all()
            fields = {**FACET_FIELDS, "status": "status"}
            data = ReaderData(
                size, {facet: _facet_column(reader, f, size) for facet, f in fields.items()}
            )
            with self._data_lock:
                # Only the newest generations are asked for again.
                for old in sorted(self._data)[:-3]:
                    del self._data[old]
                self._data[key] = data
        return data

    def _vocabulary(self, searcher, data: ReaderData) -> list[str]:
        if data.vocabulary is None:
            with data.lock:
                if data.vocabulary is None:
                    # Stems: correcting against them costs no second field at indexing time.
                    lexicon = searcher.reader().lexicon("text")
                    data.vocabulary = [
                        term
                        for term in (btext.decode("utf-8") for btext in lexicon)
                        if len(term) >= 3 and not term.isdigit()
                    ]
        return data.vocabulary

    def _stems(self, word: str) -> list[str]:
        """The indexed forms of a word and of its spelling in the other alphabet."""
        stems = [token.text for token in TEXT_ANALYZER(word)]
        if not stems:
            return []  # a stop word stays one, whatever its transliteration looks like
        for variant in language.transliterations(word):
            stems.extend(token.text for token in TEXT_ANALYZER(variant))
        return list(dict.fromkeys(stems))

    def _correct(self, searcher, data: ReaderData, word: str) -> str | None:
        """The indexed stem closest to a mistyped word's, the commonest among equals."""
        typed = analyse_word(word)
        if typed is None or len(word) < 4:
            return None
        reader = searcher.reader()
        limit = 1 if len(word) <= 5 else 2
        found = process.extract(
            typed,
            self._vocabulary(searcher, data),
            scorer=Levenshtein.distance,
            score_cutoff=limit,
            limit=25,
        )
        candidates = [(int(distance), c) for c, distance, _ in found if c != typed]
        if not candidates:
            return None
        best = min(candidates, key=lambda pair: (pair[0], -reader.doc_frequency("text", pair[1])))
        return best[1]

    def _plan(self, searcher, data: ReaderData, text: str) -> Plan:
        words = language.query_words(text)
        reader = searcher.reader()
        plan = Plan()
        clauses = []
        corrections = plan.corrections
        for position, word in enumerate(words):
            stems = self._stems(word)
            if not stems:
                continue  # a stop word
            known = [s for s in stems if reader.doc_frequency("text", s)]
            if not known and position == len(words) - 1 and len(word) >= 3:
                # Still typing: the last word may be the start of a longer one.
                for s in stems:
                    expanded = itertools.islice(reader.expand_prefix("text", s), PREFIX_EXPANSION)
                    known.extend(btext.decode("utf-8") for btext in expanded)
            if not known:
                correction = self._correct(searcher, data, word)
                if correction:
                    corrections[word] = correction
                    known = [correction]
            if not known:
                # Nothing like it is indexed: requiring it finds nothing, the fallback may.
                known = stems[:1]
            plan.terms.update(known)
            plan.clauses.append(known)
            alternatives = [Term("text", s) for s in known]
            alternatives += [Term("name", s, boost=NAME_BOOST) for s in known]
            clauses.append(Or(alternatives))
        if not clauses:
            return plan  # only stop words: list everything
        phrase = " ".join(words)
        plan.exact = list(dict.fromkeys((phrase, *language.transliterations(phrase))))
        exact = Or([Term("name_exact", variant, boost=EXACT_NAME_BOOST) for variant in plan.exact])
        plan.query = AndMaybe(And(clauses), exact)
        if len(clauses) > 1:
            plan.fallback = AndMaybe(Or(clauses), exact)
        return plan

    def _suggestion(self, text: str, corrections: dict[str, str], hits: list[Hit]) -> str | None:
        """The query with each mistyped word replaced by a real word that has its stem.

        The index holds stems ("manufactur"); the words shown come from the hits' own text.
        """
        if not corrections:
            return None
        spelled = {}
        for hit in hits:
            for token in language.WORD_RE.findall(f"{hit.name} {hit.summary} {hit.snippet}"):
                stemmed = analyse_word(token)
                if stemmed in corrections.values() and stemmed not in spelled:
                    spelled[stemmed] = language.fold(token)
        words = language.query_words(text)
        return " ".join(
            spelled.get(corrections[word], corrections[word]) if word in corrections else word
            for word in words
        )

    def search(self, query: SearchQuery) -> SearchResult:
        """Run a query; never raises for anything a user can type."""
        return self._reading(self._search, query)

    def _search(self, searcher, query: SearchQuery) -> SearchResult:
        data = self._reader_data(searcher)
        visible = data.docs_with("status", query.statuses)
        text = language.clean_query(query.text)
        plan = self._plan(searcher, data, text)

        ranked = plan.query
        if ranked is None:
            matched = visible
        else:
            # Docnum masks from each term's postings, not the query's own matcher: the same
            # documents, found by array operations instead of a tree of matchers in Python.
            reader = searcher.reader()
            per_word = [
                np.logical_or.reduce([data.text_docs(reader, term) for term in terms])
                for terms in plan.clauses
            ]
            matched = np.logical_and.reduce([visible, *per_word])
            if not matched.any() and plan.fallback is not None:
                ranked = plan.fallback
                matched = visible & np.logical_or.reduce(per_word)

        passing = {
            facet: data.docs_with(facet, values)
            for facet, values in query.filters.items()
            if values and facet in FACETS
        }
        final = np.logical_and.reduce([matched, *passing.values()])
        facets = {}
        for facet in FACETS:
            others = [docs for name, docs in passing.items() if name != facet]
            among = np.logical_and.reduce([matched, *others]) if others else matched
            counts = data.facets[facet].counts(among)
            facets[facet] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

        hits = []
        total = int(np.count_nonzero(final))
        page = max(1, query.page)
        start = (page - 1) * query.per_page
        if total and start < total:
            hits = self._ranked_hits(searcher, data, plan, final, query, start)
        return SearchResult(
            query=query,
            total=total,
            hits=hits,
            facets=facets,
            suggestion=self._suggestion(text, plan.corrections, hits),
        )

    def _scores(self, searcher, data: ReaderData, plan: Plan, query: SearchQuery) -> np.ndarray:
        """Every docnum's BM25F score for the plan's query And the status and facet conditions.

        What Whoosh's matchers would score for that query (the same formula, statistics and
        field lengths, each distinct clause and term once, as Whoosh's normalised query has
        them), computed over arrays: walking the matchers of a word that matches half the
        directory took hundreds of milliseconds.
        """
        reader = searcher.reader()
        weighting = searcher.weighting
        scores = np.zeros(data.size, dtype=np.float64)

        def add(fieldname: str, term: str, boost: float = 1.0) -> None:
            docnums, weights = data.postings(reader, fieldname, term)
            if not len(docnums):
                return
            if searcher.schema[fieldname].scorable:
                idf = searcher.idf(fieldname, term)
                average = searcher.avg_field_length(fieldname) or 1
                lengths = data.field_lengths(reader, fieldname)[docnums]
                b, k1 = weighting.B, weighting.K1
                # whoosh.scoring.bm25, with its order of operations.
                normalised = k1 * ((1 - b) + b * lengths / average)
                score = idf * ((weights * (k1 + 1)) / (weights + normalised))
            else:
                score = weights
            scores[docnums] += score * boost if boost != 1.0 else score

        for terms in dict.fromkeys(tuple(dict.fromkeys(terms)) for terms in plan.clauses):
            for term in terms:
                add("text", term)
                add("name", term, NAME_BOOST)
        for variant in plan.exact:
            add("name_exact", variant, EXACT_NAME_BOOST)
        for status in dict.fromkeys(query.statuses):
            add("status", status)
        for facet, values in query.filters.items():
            if values and facet in FACETS:
                for value in dict.fromkeys(values):
                    add(FACET_FIELDS[facet], value)
        return scores

    def _ranked_hits(self, searcher, data, plan, allowed, query, start) -> list[Hit]:
        sort = query.sort if query.sort in ("name", "newest") else "relevance"
        if plan.query is None and sort == "relevance":
            sort = "name"  # nothing to rank by: alphabetical reads best
        stop = start + query.per_page
        terms = plan.terms
        if sort == "relevance":
            docnums = np.flatnonzero(allowed)
            scores = self._scores(searcher, data, plan, query)[docnums]
            if len(docnums) > stop:
                # Everything scoring at least the stop-th best, ties included.
                threshold = np.partition(-scores, stop - 1)[stop - 1]
                kept = -scores <= threshold
                docnums, scores = docnums[kept], scores[kept]
            # Best first, the lower docnum first among equals, as Whoosh orders them.
            order = np.lexsort((docnums, -scores))[:stop]
            found = [(int(docnums[i]), float(scores[i])) for i in order]
        else:
            position = data.positions(
                searcher.reader(), "name_sort" if sort == "name" else "created"
            )
            docnums = np.flatnonzero(allowed)
            places = position[docnums] if sort == "name" else -position[docnums]
            if len(docnums) > stop:
                # Positions are distinct, so the first `stop` are the same whichever way found.
                nearest = np.argpartition(places, stop - 1)[:stop]
                docnums, places = docnums[nearest], places[nearest]
            found = [(int(docnum), 0.0) for docnum in docnums[np.argsort(places)]]
        hits = []
        for docnum, score in found[start:stop]:
            stored = searcher.stored_fields(docnum)
            hits.append(
                Hit(
                    id=int(stored["id"]),
                    slug=stored["slug"],
                    name=stored["title"],
                    kind=stored.get("kind", ""),
                    summary=stored.get("summary", ""),
                    snippet=self._snippet(stored, terms),
                    score=score,
                )
            )
        return hits

    def _snippet(self, stored: dict, terms: set[str]) -> str:
        body = stored.get("body") or ""
        if terms and body:
            fragments = highlight(
                body,
                terms,
                TEXT_ANALYZER,
                ContextFragmenter(maxchars=220, surround=60),
                MarkFormatter(),
                top=2,
            )
            if fragments:
                return fragments
        return escape(stored.get("summary") or body[:220])

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        """Names that complete what is being typed, published only."""
        words = language.query_words(language.clean_query(prefix))
        if not words:
            return []
        return self._reading(self._suggest, words, limit)

    def _suggest(self, searcher, words: list[str], limit: int) -> list[Suggestion]:
        data = self._reader_data(searcher)
        clauses = [Term("name_words", word) for word in words[:-1]]
        clauses.append(Prefix("name_words", words[-1]))
        results = searcher.search(
            And(clauses),
            filter=data.docnum_set("status", ("published",)),
            limit=limit * 3,
            sortedby="name_sort",
        )
        typed = " ".join(words)
        found = [(result["title"], result["slug"]) for result in results]
        # Names that begin with what was typed come before those that only contain it.
        found.sort(key=lambda item: not _phrase(item[0]).startswith(typed))
        return [Suggestion(name=name, slug=slug) for name, slug in found[:limit]]

    def similar(self, org, limit: int = 5) -> list[Hit]:
        """Published organisations most like this one, itself excluded."""
        return self._reading(self._similar, documents.document(org), limit)

    def _similar(self, searcher, doc: dict, limit: int) -> list[Hit]:
        data = self._reader_data(searcher)
        key_terms = searcher.key_terms_from_text(
            "text", documents.search_text(doc), numterms=15, normalize=True
        )
        clauses = [Term("text", term, boost=weight) for term, weight in key_terms]
        clauses += [Term("sector", sector, boost=0.5) for sector in doc["sectors"]]
        if not clauses:
            return []
        allowed = data.docnum_set("status", ("published",))
        own = searcher.document_number(id=str(doc["id"]))
        if own is not None:
            allowed = allowed - {own}
        results = searcher.search(Or(clauses), filter=allowed, limit=limit)
        return [
            Hit(
                id=int(result["id"]),
                slug=result["slug"],
                name=result["title"],
                kind=result.get("kind", ""),
                summary=result.get("summary", ""),
                snippet=escape(result.get("summary", "")),
                score=float(result.score or 0.0),
            )
            for result in results
        ]

    def indexed_versions(self) -> dict[int, int]:
        """Every indexed organisation id with the version it was indexed at."""
        return self._reading(
            lambda searcher: {
                int(stored["id"]): stored["version"]
                for stored in searcher.reader().all_stored_fields()
            }
        )

    def count(self) -> int:
        """How many organisations the index holds."""
        return self._reading(lambda searcher: searcher.doc_count())

    # --- writing ------------------------------------------------------------------------------

    def _write(self, apply: Callable) -> None:
        """Run apply(writer) under the shared lock, waiting for other writers rather than failing.

        Whoosh allows one writer per index across every process; gunicorn workers and the
        command line take turns here. A rebuild may switch CURRENT while we wait, so the
        pointer is read again once the lock is held.
        """
        deadline = time.monotonic() + WRITE_PATIENCE
        while True:
            name, ix = self._open_index()
            try:
                writer = ix.writer(timeout=LOCK_TIMEOUT, delay=0.02)
            except LockError:
                if time.monotonic() > deadline:
                    raise
                log.info("Search index is busy; waiting for the write lock")
                continue
            except FileNotFoundError:
                continue  # a commit replaced the generation we opened; open the new one
            try:
                with writer:
                    if self._read_pointer() != name:
                        raise _IndexSwitched  # leaving the block cancels the writer
                    apply(writer)
                return
            except _IndexSwitched:
                continue

    def index(self, orgs: Iterable) -> None:
        """Add or replace these organisations in the index."""
        fields = [index_fields(documents.document(org)) for org in orgs]
        if not fields:
            return

        def apply(writer):
            # Two processes can load the same organisation at different versions and then
            # queue for the lock in either order: the newer version must win.
            with writer.searcher() as searcher:
                for entry in fields:
                    docnum = searcher.document_number(id=entry["id"])
                    if (
                        docnum is not None
                        and searcher.stored_fields(docnum)["version"] > entry["version"]
                    ):
                        continue
                    writer.update_document(**entry)

        self._write(apply)

    def remove(self, ids: Iterable[int]) -> None:
        """Drop these organisation ids from the index."""
        terms = [str(i) for i in ids]
        if not terms:
            return

        def apply(writer):
            for term in terms:
                writer.delete_by_term("id", term)

        self._write(apply)

    def rebuild(self, orgs: Iterable, progress: Callable[[int], None] | None = None) -> int:
        """Build a complete new index beside the live one, then switch to it in one rename."""
        self.root.mkdir(parents=True, exist_ok=True)
        # What the live index holds before the database is read: whatever differs from this
        # at the switch was written while the new index was being built.
        start = self._indexed_state()
        name, path = self._new_directory("build")
        count = 0
        try:
            ix = whoosh_index.create_in(str(path), SCHEMA)
            with ix.writer() as writer:
                writer.pool = TermPool()
                writer._flush_segment = lambda: _flush_term_pool(writer)
                for org in orgs:
                    _add_rebuild_document(writer, index_fields(documents.document(org)))
                    count += 1
                    if progress and count % 100 == 0:
                        progress(count)
                if progress and count % 100:
                    progress(count)
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        self._switch_to(name, start)
        return count

    def _indexed_state(self, ix=None) -> tuple[int, dict[int, int]]:
        """The live index's generation and the version of every organisation in it."""
        if ix is None:
            _, ix = self._open_index()
        with ix.searcher() as searcher:
            reader = searcher.reader()
            versions = {int(f["id"]): f["version"] for f in reader.all_stored_fields()}
            return reader.generation(), versions

    def _switch_to(self, name: str, start: tuple[int, dict[int, int]]) -> None:
        """Make `name` the live index once no writer is busy with the old one."""
        old_name, old = self._open_index()
        lock = old.lock("WRITELOCK")  # the lock every IndexWriter takes
        deadline = time.monotonic() + WRITE_PATIENCE
        # Writers to the old index finish first; any later writer reads the new pointer.
        while not lock.acquire(blocking=False):
            if time.monotonic() > deadline:
                raise LockError("The search index stayed locked; the rebuild was not switched in.")
            time.sleep(0.02)
        try:
            self._catch_up(old, name, start)
            self._write_pointer(name)
        finally:
            lock.release()
        self._remove_old_directories(keep={name, old_name})

    def _catch_up(self, old, name: str, start: tuple[int, dict[int, int]]) -> None:
        """Carry into the new index the writes made to the old one while it was being built.

        The old index is locked, so it holds every write finished so far; each organisation
        written since the build started is indexed again from the database.
        """
        from .sync import load_organisations

        generation, versions = start
        if old.latest_generation() == generation:
            return
        _, now = self._indexed_state(old)
        changed = {i for i in versions.keys() | now.keys() if versions.get(i) != now.get(i)}
        if not changed:
            return
        orgs, missing = load_organisations(changed)
        new = whoosh_index.open_dir(str(self.root / name))
        with new.writer(timeout=LOCK_TIMEOUT) as writer:
            for org in orgs:
                writer.update_document(**index_fields(documents.document(org)))
            for org_id in missing:
                writer.delete_by_term("id", str(org_id))

    def _remove_old_directories(self, keep: set[str]) -> None:
        cutoff = time.time() - STALE_BUILD_SECONDS
        for path in self.root.iterdir():
            if not path.is_dir() or path.name in keep:
                continue
            # A directory still being written may belong to another rebuild.
            if path.name.startswith("build-") and path.stat().st_mtime > cutoff:
                continue
            shutil.rmtree(path, ignore_errors=True)

"""A fresh index written as several segments, each by term_pool in a child process.

Holding every posting of 100,000 organisations took over 1 GB, and one process used one of
the machine's cores. The documents are taken SEGMENT_SIZE at a time: each batch becomes a
segment of its own, analysed and written by a forked child while this process reads and
builds the next batch's documents; the commit waits for the children and lists their
segments in the order their documents came, so docnums follow the rows as in one segment.
The writer's own segment stays empty and is left out. Reaches into SegmentWriter internals:
only used when compatibility.start allowed it.
"""

from __future__ import annotations

import os
import pickle
import random
import signal
import sys
import traceback
from collections.abc import Callable
from functools import partial

from ..processes import forking_is_safe
from . import docnum_lists
from .term_pool import TermPool, add_document

# Documents per segment: bounds the postings held at once, and more segments mean more
# per-segment work for every search.
SEGMENT_SIZE = 25_000
# Segments being written by children at once: each holds its batch's postings.
CHILDREN = 2


class Rebuild:
    """The documents of a fresh index, added in docnum order, written segment by segment.

    Stands in for the writer's posting pool: Whoosh calls cleanup() as the writer closes or
    is cancelled.
    """

    def __init__(self, writer):
        self.writer = writer
        self.batch: list[dict] = []
        self.segments: list = []
        # (process id, the read end of its pipe, the segment's place in self.segments)
        self.children: list[tuple[int, int, int]] = []

    def add(self, fields: dict) -> None:
        """Add the next document; hand a full batch on to a segment of its own first."""
        self.writer._check_state()
        if len(self.batch) >= SEGMENT_SIZE:
            self._hand_off()
        self.batch.append(fields)

    def _hand_off(self) -> None:
        writer = self.writer
        segment = writer.codec.new_segment(writer.storage, writer.indexname)
        segment.set_doc_count(len(self.batch))
        if forking_is_safe():
            while len(self.children) >= CHILDREN:
                self._reap()
            pid, pipe = _write_in_child(writer, segment, self.batch)
            self.children.append((pid, pipe, len(self.segments)))
        else:
            _write_segment(writer, segment, self.batch)
        self.segments.append(segment)
        self.batch = []

    def _reap(self) -> None:
        # The child's segment, as its writers left it (field length totals), replaces ours.
        pid, pipe, place = self.children.pop(0)
        with os.fdopen(pipe, "rb") as reading:
            written = reading.read()
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0 or not written:
            raise RuntimeError(f"writing a segment of the rebuild failed (process {pid})")
        self.segments[place] = pickle.loads(written)

    def finish(self, *_) -> list:
        """Hand on the last batch, wait for every segment; return them for the commit.

        Stands in for the writer's merge policy, which the commit asks for the segments to
        keep before it writes the table of contents.
        """
        try:
            if self.batch:
                self._hand_off()
            while self.children:
                self._reap()
        finally:
            self.cleanup()
        return self.segments

    def cleanup(self) -> None:
        """Stop the children of a cancelled rebuild; forget the documents."""
        for pid, _, _ in self.children:
            os.kill(pid, signal.SIGTERM)
        for pid, pipe, _ in self.children:
            os.close(pipe)
            os.waitpid(pid, 0)
        self.children.clear()
        self.batch = []


def document_adder(writer) -> Callable[[dict], None]:
    """Make a new SegmentWriter write its documents through a Rebuild; return its add."""
    rebuild = Rebuild(writer)
    writer.pool = rebuild
    writer._merge_segments = rebuild.finish
    return rebuild.add


def _write_segment(writer, segment, docs) -> None:
    # One segment's documents: stored fields, lengths and columns, then the postings.
    codec, storage, schema = writer.codec, writer.storage, writer.schema
    perdocwriter = codec.per_document_writer(storage, segment)
    fieldwriter = codec.field_writer(storage, segment)
    pool = TermPool()
    for docnum, fields in enumerate(docs):
        add_document(schema, perdocwriter, pool, docnum, fields)
    perdocwriter.close()
    segment.set_doc_count(len(docs))
    listed = partial(docnum_lists.write, storage, segment)
    pool.write(fieldwriter, codec.per_document_reader(storage, segment), schema, listed)


def _write_in_child(writer, segment, docs) -> tuple[int, int]:
    # The child shares this process's open files: it writes only the files of its own
    # segment and leaves with os._exit, so no buffer of this process is flushed twice.
    # It sends the written segment back through a pipe; returns its pid and the read end.
    reading, writing = os.pipe()
    pid = os.fork()
    if pid:
        os.close(writing)
        return pid, reading
    status = 1
    try:
        os.close(reading)
        random.seed()  # the segment's temporary file names must differ from this process's
        _write_segment(writer, segment, docs)
        with os.fdopen(writing, "wb") as sending:
            sending.write(pickle.dumps(segment))
        status = 0
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
    finally:
        os._exit(status)

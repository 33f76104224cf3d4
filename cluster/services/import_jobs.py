"""Imports from the browser: keep the uploaded file, preview it, then write it in chunks.

The uploaded file waits in IMPORT_DIR (<instance>/imports) under a random name (not in the
session, which is a cookie) between the preview and the confirmation, next to a small JSON
state file. Writing runs
in chunks of CHUNK_ROWS rows, one request and one transaction each, so a large file never holds
a gunicorn sync worker past its timeout, the page can show real progress after every chunk, and
a worker restart loses nothing: the next request carries on from the last committed chunk.
Re-running a chunk is harmless, because a row whose slug exists updates that organisation.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from ..extensions import db
from . import audit, import_preview, importer, records, slugs, spreadsheets, taxonomy
from .duplicates import DuplicateFinder

CHUNK_ROWS = 200
# Previews list at most this many slugs per group; the counts are always complete.
PREVIEW_LIMIT = 200
# Abandoned uploads and finished states are removed after this many seconds.
KEEP_SECONDS = 24 * 3600
# A chunk still marked running after this long died with its worker.
LOCK_SECONDS = 300
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
TOKEN = re.compile(r"^[0-9a-f]{32}$")


class UploadRefused(Exception):
    """The uploaded file cannot be imported at all; args are the first reasons, one per line,
    and `total` says how many there are (importer.MAX_PROBLEMS are listed)."""

    def __init__(self, *reasons: str, total: int | None = None):
        super().__init__(*reasons)
        self.total = max(len(reasons), total or 0)

    @property
    def more(self) -> int:
        return self.total - len(self.args)


class JobMissing(Exception):
    """No import with this token (finished long ago, cancelled or never started)."""


@dataclass
class Job:
    token: str
    filename: str
    file_format: str
    user_id: int | None
    # How the file was read: "Read as Windows-1251, separator ;." ('' for JSON).
    read_as: str = ""
    total: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # The first importer.MAX_PROBLEMS problems of error_count.
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    # [{"row", "name", "matches": [{"slug", "name", "reason"}]}] for rows that would be created.
    duplicates: list[dict] = field(default_factory=list)
    # The preview's detail (services/import_preview.py): {slug: {field: value}} of rows to
    # create, {slug: {field: [before, after]}} of rows to update.
    new_values: dict[str, dict] = field(default_factory=dict)
    changes: dict[str, dict] = field(default_factory=dict)
    # Progress of the writing: rows done, and what they did.
    done: int = 0
    written_created: int = 0
    written_updated: int = 0
    written_unchanged: int = 0
    write_errors: list[str] = field(default_factory=list)
    started: bool = False
    finished: bool = False

    @property
    def can_run(self) -> bool:
        return not self.errors and not self.write_errors and not self.finished

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))

    def progress(self) -> dict:
        """What the progress page and its script show."""
        return {
            "total": self.total,
            "done": self.done,
            "percent": self.percent,
            "created": self.written_created,
            "updated": self.written_updated,
            "unchanged": self.written_unchanged,
            "errors": self.write_errors,
            "finished": self.finished,
        }


def imports_dir() -> Path:
    """IMPORT_DIR, by default <instance>/imports: private, unlike the upload folder of logos."""
    path = Path(current_app.config.get("IMPORT_DIR") or Path(current_app.instance_path) / "imports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_bytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def _paths(token: str, file_format: str = "") -> tuple[Path, Path]:
    if not TOKEN.match(token or ""):
        raise JobMissing(token)
    directory = imports_dir()
    return directory / f"{token}.{file_format}", directory / f"{token}.state.json"


def start(file_storage, user) -> Job:
    """Keep an uploaded CSV, .xlsx or JSON file and preview it as a dry run; UploadRefused if
    unfit."""
    remove_old()
    filename = Path(file_storage.filename or "").name[:200]
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in ("csv", "xlsx", "json"):
        if filename:
            message = _(
                "%(name)s is not a .csv, .xlsx or .json file. Save the spreadsheet as an Excel "
                "workbook or as CSV, or upload the JSON an export gave you.",
                name=filename,
            )
        else:
            message = _(
                "The file is not a .csv, .xlsx or .json file. Save the spreadsheet as an Excel "
                "workbook or as CSV, or upload the JSON an export gave you."
            )
        raise UploadRefused(message)
    limit = max_bytes()
    data = file_storage.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(
            _("The file is larger than %(mb)d MB. Split it into parts.", mb=limit // 2**20)
        )
    if not data.strip():
        raise UploadRefused(_("The file is empty."))
    try:
        rows = importer.read_bytes(data, suffix)
    except importer.FileRefused as refused:
        raise UploadRefused(*refused.args, total=refused.total) from None

    token = secrets.token_hex(16)
    upload_path, _state_path = _paths(token, suffix)
    job = Job(token=token, filename=filename, file_format=suffix, user_id=getattr(user, "id", None))
    job.read_as = spreadsheets.describe(data, suffix)
    preview(job, rows)
    # Only a file that can be imported is kept for the run: one with invalid rows never runs,
    # so its staff member's data would only wait on disk.
    if job.can_run:
        upload_path.write_bytes(data)
    save(job)
    return job


def preview(job: Job, rows: list) -> None:
    """Fill the job with what importing the rows would do, and the likely duplicates it adds."""
    report = importer.import_numbered(rows, dry_run=True)
    job.total = len(rows)
    job.created, job.updated, job.unchanged = report.created, report.updated, report.unchanged
    job.errors = report.errors
    job.error_count = report.error_count
    if not report.ok:
        return
    job.new_values, job.changes = import_preview.details(
        rows, report.created, report.updated, PREVIEW_LIMIT
    )
    if not report.created:
        return
    to_create = set(report.created)
    finder = DuplicateFinder.load()
    sectors = taxonomy.sector_lookup()
    for number, raw in rows:
        values, errors = records.parse_record(raw, sectors)
        if errors:
            continue
        slug = values.get("slug") or slugs.slugify_name(values["name"])
        if slug not in to_create:
            continue
        matches = finder.find(values)
        if matches:
            job.duplicates.append(
                {
                    "row": number,
                    "name": values["name"],
                    "matches": [
                        {"slug": org.slug, "name": org.name, "reason": reason}
                        for org, reason in matches[:5]
                    ],
                }
            )


def load(token: str) -> Job:
    """The import with this token; raise JobMissing when there is none."""
    _upload_path, state_path = _paths(token)
    try:
        data = json.loads(state_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise JobMissing(token) from None
    return Job(**data)


def save(job: Job) -> None:
    _upload_path, state_path = _paths(job.token)
    partial = state_path.with_suffix(".tmp")
    partial.write_text(json.dumps(asdict(job), ensure_ascii=False), encoding="utf-8")
    os.replace(partial, state_path)


def run_chunk(job: Job, user) -> Job:
    """Write the next CHUNK_ROWS rows in one transaction (committed here) and save the progress."""
    if not job.can_run:
        return job
    upload_path, state_path = _paths(job.token, job.file_format)
    lock = state_path.with_suffix(".lock")
    if not _acquire(lock):
        return job  # another request is writing this import's next chunk
    try:
        job = load(job.token)  # the other request may have moved it on meanwhile
        if not job.can_run:
            return job
        try:
            rows = importer.read_file(upload_path)
        except (OSError, importer.FileRefused) as error:
            job.write_errors = [
                _("The uploaded file can no longer be read: %(error)s", error=error)
            ]
            save(job)
            return job
        chunk = rows[job.done : job.done + CHUNK_ROWS]
        if not job.started:
            # Logged with the first chunk, in its transaction: what was asked for, by whom.
            detail = ngettext(
                "%(num)d row: %(created)d to create, %(updated)d to update",
                "%(num)d rows: %(created)d to create, %(updated)d to update",
                job.total,
                created=len(job.created),
                updated=len(job.updated),
            )
            audit.log("import", job.filename, detail=detail, user=user)
        report = importer.import_numbered(chunk, user=user)
        if not report.ok:
            db.session.rollback()
            job.write_errors = report.errors
        else:
            job.started = True
            job.done += len(chunk)
            job.written_created += len(report.created)
            job.written_updated += len(report.updated)
            job.written_unchanged += len(report.unchanged)
            if job.done >= job.total:
                job.finished = True
                upload_path.unlink(missing_ok=True)
        save(job)
        return job
    finally:
        lock.unlink(missing_ok=True)


def cancel(token: str) -> None:
    """Forget an import: remove its file and its state."""
    job = load(token)
    upload_path, state_path = _paths(job.token, job.file_format)
    upload_path.unlink(missing_ok=True)
    state_path.unlink(missing_ok=True)


def _acquire(lock: Path) -> bool:
    try:
        os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        return True
    except FileExistsError:
        try:
            if time.time() - lock.stat().st_mtime > LOCK_SECONDS:
                lock.unlink(missing_ok=True)
                return _acquire(lock)
        except FileNotFoundError:
            return _acquire(lock)
        return False


def remove_old(now: float | None = None) -> None:
    """Delete uploads and states older than KEEP_SECONDS (abandoned previews, old summaries)."""
    now = now or time.time()
    for path in imports_dir().iterdir():
        try:
            if now - path.stat().st_mtime > KEEP_SECONDS:
                path.unlink(missing_ok=True)
        except FileNotFoundError:
            pass

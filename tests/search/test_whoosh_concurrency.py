"""Several processes writing one Whoosh index at once, as gunicorn workers and a CLI import do."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from cluster.extensions import db
from cluster.models import Organisation
from cluster.search import SearchQuery, backend, maintenance
from tests.helpers import build_app

ROOT = Path(__file__).resolve().parents[2]
COMMITS = 20

WORKER = textwrap.dedent(
    """
    import sys

    from cluster import create_app
    from cluster.extensions import db
    from cluster.models import Organisation
    from cluster.search import SearchQuery, backend, maintenance

    worker, database, index_dir, commits, mode = sys.argv[1:6]
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database,
        "INDEX_DIR": index_dir,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 60}},
    })
    with app.app_context():
        if mode == "reindex":
            maintenance.reindex()
            sys.exit(0)
        org = None
        for n in range(int(commits)):
            if org is None or n % 3 == 0:
                org = Organisation(
                    name=f"Worker {worker} number {n}",
                    slug=f"worker-{worker}-{n}",
                    kind="startup",
                    status="published",
                    summary=f"first{worker}x{n}",
                )
                db.session.add(org)
            else:
                # Every edit replaces the summary: only the last one may remain in the index.
                org.summary = f"edit{worker}x{n}"
            db.session.commit()
            found = backend().search(SearchQuery(text=org.summary)).hits
            indexed = backend().indexed_versions().get(org.id)
            if [hit.slug for hit in found] != [org.slug] or indexed != org.version:
                print(f"not in the index after commit: {org.summary}", file=sys.stderr)
                sys.exit(2)
    """
)


def start(script: Path, tmp_path: Path, app, worker: str, mode: str = "write"):
    return subprocess.Popen(
        [
            sys.executable,
            str(script),
            worker,
            app.config["DATABASE_URL"],
            app.config["INDEX_DIR"],
            str(COMMITS),
            mode,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_processes_writing_at_once_lose_nothing_and_never_fail(tmp_path):
    app = build_app(tmp_path)
    script = tmp_path / "worker.py"
    script.write_text(WORKER)

    workers = [start(script, tmp_path, app, str(n)) for n in range(3)]
    outputs = [worker.communicate(timeout=300) for worker in workers]

    for worker, (_, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr
        assert "LockError" not in stderr
        assert "could not be updated" not in stderr
    with app.app_context():
        orgs = db.session.scalars(db.select(Organisation)).all()
        assert len(orgs) == 3 * 7
        assert maintenance.check().agree
        for org in orgs:
            hits = backend().search(SearchQuery(text=org.summary)).hits
            assert [hit.slug for hit in hits] == [org.slug]
        db.engine.dispose()


def test_a_rebuild_while_others_write_switches_over_without_losing_their_writes(tmp_path):
    app = build_app(tmp_path)
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    with app.app_context():
        for n in range(200):
            db.session.add(
                Organisation(
                    name=f"Existing {n}", slug=f"existing-{n}", kind="company", status="published"
                )
            )
        db.session.commit()

    processes = [start(script, tmp_path, app, "a"), start(script, tmp_path, app, "r", "reindex")]
    processes.append(start(script, tmp_path, app, "b"))
    outputs = [process.communicate(timeout=300) for process in processes]

    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
        assert "LockError" not in stderr
    with app.app_context():
        assert maintenance.check().agree
        assert backend().search(SearchQuery(text="existing")).total == 200
        db.engine.dispose()

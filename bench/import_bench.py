"""Import benchmark: `flask import` of one file of N synthetic organisations, timed as a whole.

    .venv/bin/python -m bench.import_bench --engine whoosh --size 10000
    .venv/bin/python -m bench.import_bench --engine postgres --size 100000

Writes the file (bench/synthetic.py, as CSV), migrates a fresh database (a SQLite file, or a new
PostgreSQL database dropped afterwards), then runs `flask --app wsgi import FILE` in a child
process and prints its wall time and CPU time, the child's peak RSS, and what the database and
the index hold afterwards. The child (`--child`) times the indexing after the commit on its own
(`maintenance.reindex` or `batch_import.index_in_batches`), so the rows' share (starting up,
reading, checking, writing, committing) is the rest, and notes the peak RSS before it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import synthetic
from bench.search_bench import drop_database, make_app

ROOT = Path(__file__).resolve().parent.parent


def write_file(path: Path, size: int, seed: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=synthetic.COLUMNS, lineterminator="\n")
        writer.writeheader()
        for record in synthetic.generate(size, seed):
            writer.writerow(synthetic.to_csv_row(record))


def child(path: str, timings: str) -> None:
    """Run `flask import PATH` in this process, timing the indexing after the commit apart."""
    from flask.cli import main as flask_main

    from cluster.search import maintenance
    from cluster.services import batch_import

    spent = {"index_wall": 0.0, "index_cpu": 0.0, "rows_peak": 0.0}

    def timed(function):
        def run(*args, **kwargs):
            # The peak so far is the rows' own: the index's memory comes after.
            spent["rows_peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent["index_wall"] += time.perf_counter() - wall
                spent["index_cpu"] += time.process_time() - cpu

        return run

    # The rebuild's catch-up also indexes in batches: only the outer call is timed.
    maintenance.reindex = timed(maintenance.reindex)
    batch_import.index_in_batches = timed(batch_import.index_in_batches)
    sys.argv = ["flask", "--app", "wsgi", "import", path]
    try:
        flask_main()
    finally:
        Path(timings).write_text(json.dumps(spent))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", default="whoosh", choices=("whoosh", "postgres"))
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", nargs=2, metavar=("FILE", "TIMINGS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return

    from cluster.extensions import db
    from cluster.search import backend

    with tempfile.TemporaryDirectory(prefix="cluster-import-bench-") as tmp:
        folder = Path(tmp)
        path = folder / "organisations.csv"
        write_file(path, args.size, args.seed)
        megabytes = path.stat().st_size / 2**20
        app, database = make_app(args.engine, folder)
        try:
            env = {
                **os.environ,
                "CLUSTER_ENV": "development",
                "SECRET_KEY": "bench",
                "SEARCH_BACKEND": args.engine,
                "DATABASE_URL": app.config["DATABASE_URL"],
                "INDEX_DIR": str(folder / "index"),
                "UPLOAD_DIR": str(folder / "uploads"),
            }
            timings = folder / "timings.json"
            command = [
                sys.executable,
                "-m",
                "bench.import_bench",
                "--child",
                str(path),
                str(timings),
            ]
            started = time.perf_counter()
            done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            peak = usage.ru_maxrss / 1024
            cpu = usage.ru_utime + usage.ru_stime
            spent = json.loads(timings.read_text()) if timings.exists() else {}
            if done.returncode:
                print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
                raise SystemExit("the import failed")
            with app.app_context():
                rows = db.session.execute(db.text("SELECT count(*) FROM organisations")).scalar()
                indexed = backend().count()
                db.engine.dispose()
        finally:
            if database:
                drop_database(database)
    index_wall, index_cpu = spent.get("index_wall", 0.0), spent.get("index_cpu", 0.0)
    print(
        f"{args.engine} | {args.size} rows, {megabytes:.0f} MB | {seconds:.1f} s wall,"
        f" {cpu:.1f} s CPU | rows {seconds - index_wall:.1f} s wall, {cpu - index_cpu:.1f} s CPU"
        f" | index {index_wall:.1f} s wall, {index_cpu:.1f} s CPU"
        f" | peak RSS {peak:.0f} MB (rows {spent.get('rows_peak', 0):.0f} MB)"
        f" | {rows} stored, {indexed} indexed"
        f" | load {' '.join(f'{n:.1f}' for n in os.getloadavg())}"
    )
    print("  " + " / ".join(done.stdout.strip().splitlines()[-2:]))


if __name__ == "__main__":
    main()

"""Import benchmark: `flask import` of one file of N synthetic organisations, timed as a whole.

    .venv/bin/python -m bench.import_bench --engine whoosh --size 10000
    .venv/bin/python -m bench.import_bench --engine postgres --size 100000

Writes the file (bench/synthetic.py, as CSV), migrates a fresh database (a SQLite file, or a new
PostgreSQL database dropped afterwards), then runs `flask --app wsgi import FILE` in a child
process and prints its wall time, the child's peak RSS, and what the database and the index
hold afterwards.
"""

from __future__ import annotations

import argparse
import csv
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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", default="whoosh", choices=("whoosh", "postgres"))
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

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
            command = [sys.executable, "-m", "flask", "--app", "wsgi", "import", str(path)]
            started = time.perf_counter()
            done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
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
    print(
        f"{args.engine} | {args.size} rows, {megabytes:.0f} MB | {seconds:.1f} s"
        f" | peak RSS {peak:.0f} MB | {rows} stored, {indexed} indexed"
    )
    print("  " + " / ".join(done.stdout.strip().splitlines()[-2:]))


if __name__ == "__main__":
    main()

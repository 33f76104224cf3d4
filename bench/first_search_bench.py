"""First search after a write: how long each worker process's next search takes after an edit.

    .venv/bin/python -m bench.first_search_bench --engine whoosh --size 10000
    .venv/bin/python -m bench.first_search_bench --engine postgres --size 100000 --workers 3

Prepares (once, kept in --data for the next run) a database and index of N synthetic
organisations, starts --workers processes that each build the app as a gunicorn worker would
and warm up on a mix of queries, then --rounds times: edits one organisation through the ORM
(its commit updates the index, as a staff edit does), and asks every worker for its next
searches. Prints, per round and worker, wall and CPU time (time.process_time) of the first
search after the edit (a common word with facets), the next one (the empty query in name order)
and a search for the edited word, which must find the edited organisation: a worker that does
not see the write fails the run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.search_bench import POSTGRES_SERVER, QUERIES, app_settings, make_app

ROOT = Path(__file__).resolve().parent.parent
# What each worker runs after an edit, in this order; the first one is "the first search".
AFTER_EDIT = [("word+facets", "textile", {"kind": ["manufacturer"]}), ("empty", "", {})]


def settings(engine: str, folder: Path) -> dict:
    """The app settings of a prepared folder (its database and index)."""
    found = app_settings(engine, folder)
    if engine == "postgres":
        found["DATABASE_URL"] = f"{POSTGRES_SERVER}/{(folder / 'database').read_text().strip()}"
    return found


def prepare(engine: str, size: int, folder: Path, seed: int) -> None:
    """A database of `size` synthetic organisations and its index, unless already there."""
    if (folder / "ready").exists():
        return
    from bench import synthetic
    from cluster.extensions import db

    folder.mkdir(parents=True, exist_ok=True)
    app, database = make_app(engine, folder)
    if database:
        (folder / "database").write_text(database)
    with app.app_context():
        started = time.perf_counter()
        synthetic.fill(size, seed)
        print(f"# prepared in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        db.engine.dispose()
    (folder / "ready").write_text("")


def worker(engine: str, folder: Path) -> None:
    """One worker: warm up, then answer each line on stdin with the timings of AFTER_EDIT."""
    from cluster import create_app
    from cluster.search import SearchQuery, backend

    app = create_app(settings(engine, folder))
    with app.app_context():
        for _ in range(2):
            for _, text, filters in QUERIES:
                backend().search(SearchQuery(text=text, filters=filters))
        print("ready", flush=True)
        for line in sys.stdin:
            word = line.strip()
            timings, cpu = [], []
            for _, text, filters in [*AFTER_EDIT, ("edited", word, {})]:
                started, started_cpu = time.perf_counter(), time.process_time()
                result = backend().search(SearchQuery(text=text, filters=filters))
                timings.append(round((time.perf_counter() - started) * 1000, 1))
                cpu.append(round((time.process_time() - started_cpu) * 1000, 1))
            answer = {"ms": timings, "cpu_ms": cpu, "edited_found": result.total}
            print(json.dumps(answer), flush=True)


def edit(app, round_number: int) -> tuple[str, float]:
    """Change one organisation's summary through the ORM; the word it gained and the seconds."""
    import sqlalchemy as sa

    from cluster.extensions import db
    from cluster.models import Organisation

    # Letters only: digits would be split off as words of their own.
    word = "zqvedit" + f"{round_number}{os.getpid()}".translate(
        str.maketrans("0123456789", "abcdefghij")
    )
    with app.app_context():
        ids = db.session.scalars(sa.select(Organisation.id).order_by(Organisation.id)).all()
        org = db.session.get(Organisation, ids[(round_number * 7919) % len(ids)])
        assert org is not None
        started = time.perf_counter()
        org.summary = f"{org.summary.split(' zqvedit')[0]} {word}"
        db.session.commit()  # the session hooks index the change after the commit
        seconds = time.perf_counter() - started
        db.session.remove()
    return word, seconds


def run(args) -> None:
    from cluster import create_app

    folder = Path(args.data or f"/tmp/cluster-first-search/{args.engine}-{args.size}")
    prepare(args.engine, args.size, folder, args.seed)
    command = [sys.executable, "-m", "bench.first_search_bench", "--worker", args.engine]
    env = {**os.environ, "CLUSTER_ENV": "development"}
    workers = [
        subprocess.Popen(
            [*command, str(folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        for _ in range(args.workers)
    ]
    try:
        for process in workers:
            assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        app = create_app(settings(args.engine, folder))
        firsts, firsts_cpu = [], []
        print(f"{args.engine} at {args.size}, {args.workers} workers (ms, wall / CPU)")
        print("round | edit+index s | worker | first search | next search | edited word")
        for number in range(1, args.rounds + 1):
            word, seconds = edit(app, number)
            for process in workers:
                assert process.stdin is not None
                process.stdin.write(word + "\n")
                process.stdin.flush()
            for index, process in enumerate(workers):
                assert process.stdout is not None
                answer = json.loads(process.stdout.readline())
                if answer["edited_found"] != 1:
                    raise SystemExit(f"worker {index} does not see the edit of round {number}")
                firsts.append(answer["ms"][0])
                firsts_cpu.append(answer["cpu_ms"][0])
                pairs = zip(answer["ms"], answer["cpu_ms"], strict=True)
                cells = " | ".join(f"{wall} / {cpu}" for wall, cpu in pairs)
                print(f"{number} | {seconds:.2f} | {index} | {cells}")
        print(
            f"first search after an edit: median {statistics.median(firsts):.1f} ms, "
            f"max {max(firsts):.1f} ms over {len(firsts)}; CPU median "
            f"{statistics.median(firsts_cpu):.1f} ms, max {max(firsts_cpu):.1f} ms"
        )
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        for process in workers:
            if process.stdin:
                process.stdin.close()
            process.wait(timeout=60)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", default="whoosh", choices=("whoosh", "postgres"))
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", help="folder kept between runs (default under /tmp)")
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]))
    else:
        run(args)


if __name__ == "__main__":
    main()

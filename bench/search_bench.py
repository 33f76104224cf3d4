"""Search benchmark: index build time, query latency with all facets, and peak memory.

    .venv/bin/python -m bench.search_bench                      # whoosh and postgres, 10k and 100k
    .venv/bin/python -m bench.search_bench --sizes 10000 --engines postgres --repeat 3

Each engine and size runs in a child process of its own (so peak memory is its own) on a fresh
database: a SQLite file and Whoosh index in a temporary folder, or a new PostgreSQL database on
127.0.0.1:5432 that is dropped afterwards. Results print as a table and are written as JSON to
bench/results/.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import datetime
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"

# A fixed mix: (label, text, filters). Every query computes all facets.
QUERIES = [
    ("empty", "", {}),
    ("empty+kind", "", {"kind": ["startup"]}),
    ("empty+sector+stage", "", {"sector": ["fashiontech"], "stage": ["mvp"]}),
    ("empty+city+looking", "", {"city": ["Moscow"], "looking_for": ["investment"]}),
    ("word", "textile", {}),
    ("word", "fashion", {}),
    ("word", "printing", {}),
    ("word", "sewing", {}),
    ("word", "animation", {}),
    ("word+kind", "textile", {"kind": ["manufacturer"]}),
    ("word+2 facets", "design", {"residency": ["resident"], "looking_for": ["investment"]}),
    ("two words", "digital printing", {}),
    ("two words", "small batch", {}),
    ("two words", "fashion design", {}),
    ("two words+sector", "pattern cutting", {"sector": ["apparel-manufacturing", "textile"]}),
    ("russian", "текстиль", {}),
    ("russian", "печать", {}),
    ("russian", "пошив одежды", {}),
    ("russian", "цифровая печать", {}),
    ("russian+kind", "обучение", {"kind": ["education"]}),
    ("typo", "fashon", {}),
    ("typo", "manufacturng", {}),
    ("typo", "textle", {}),
    ("typo", "анимацыя", {}),
    ("prefix", "fas", {}),
    ("prefix", "embroi", {}),
    ("prefix", "тек", {}),
    ("prefix", "digital prin", {}),
    ("translit", "Kalibr", {}),
    ("syntax", '"digital printing', {}),
    ("no match", "zzzqqq", {}),
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def app_settings(engine: str, folder: Path, database: str | None = None) -> dict:
    """The settings of a bench app whose index, uploads and SQLite database live in `folder`
    (on PostgreSQL, the database named)."""
    return {
        "TESTING": True,
        "SECRET_KEY": "bench",
        "SEARCH_BACKEND": engine,
        "INDEX_DIR": str(folder / "index"),
        "UPLOAD_DIR": str(folder / "uploads"),
        "DATABASE_URL": (
            f"{POSTGRES_SERVER}/{database}" if database else f"sqlite:///{folder / 'bench.sqlite3'}"
        ),
    }


def make_app(engine: str, folder: Path, database: str | None = None):
    """A migrated app on a fresh database for the engine (on PostgreSQL a new database, named
    or not); returns (app, database name or None)."""
    from bench import synthetic
    from cluster import create_app

    if engine == "postgres":
        import psycopg

        database = database or f"cluster_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{database}"')
    else:
        database = None
    app = create_app(app_settings(engine, folder, database))
    with app.app_context():
        synthetic.prepare_database()
    return app, database


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def prepared(engine: str, size: int, seed: int, data: Path | None):
    """An app on N synthetic organisations, indexed: yields (app, the build's figures).

    With `data`, the database and index are kept there (PostgreSQL: a database named after
    the size and seed) and a later run queries them again without building: the build's
    figures are then None.
    """
    from cluster import create_app
    from cluster.extensions import db

    if data is None:
        with tempfile.TemporaryDirectory(prefix="cluster-bench-") as tmp:
            app, database = make_app(engine, Path(tmp))
            try:
                yield app, build(app, size, seed)
            finally:
                if database:
                    with app.app_context():
                        db.engine.dispose()
                    drop_database(database)
        return
    folder = data / f"{engine}-{size}-{seed}"
    built = folder / "built.json"
    if built.exists():
        settings = json.loads(built.read_text())
        app = create_app(settings)
        yield app, {"insert_s": None, "rebuild_s": None, "indexed": None}
        return
    folder.mkdir(parents=True, exist_ok=True)
    app, database = make_app(engine, folder, f"cluster_search_bench_{size}_{seed}")
    figures = build(app, size, seed)
    built.write_text(json.dumps(app_settings(engine, folder, database)))
    yield app, figures


def build(app, size: int, seed: int) -> dict:
    """Insert the organisations and rebuild the index as `flask reindex` does; time both."""
    from bench import synthetic
    from cluster.extensions import db
    from cluster.search import maintenance

    with app.app_context():
        started = time.perf_counter()
        synthetic.insert(db.session, synthetic.generate(size, seed))
        db.session.commit()
        insert_s = time.perf_counter() - started
        # What `flask reindex` runs: the engine's rebuild, then a catch-up check.
        started = time.perf_counter()
        indexed = maintenance.reindex()
        rebuild_s = time.perf_counter() - started
        db.session.remove()
    return {"insert_s": round(insert_s, 1), "rebuild_s": round(rebuild_s, 1), "indexed": indexed}


def run_one(engine: str, size: int, repeat: int, seed: int, trace: bool, data: Path | None) -> dict:
    """Build (or reuse), index and query one engine at one size; return the figures."""
    from cluster.search import SearchQuery, backend

    if trace:
        tracemalloc.start()
    with prepared(engine, size, seed, data) as (app, built), app.app_context():
        # One unmeasured pass warms caches, as a running server would be.
        for _, text, filters in QUERIES:
            backend().search(SearchQuery(text=text, filters=filters))
        per_query = []
        all_ms = []
        all_cpu_ms = []
        for label, text, filters in QUERIES:
            times = []
            for _ in range(repeat):
                started, cpu_started = time.perf_counter(), time.process_time()
                result = backend().search(SearchQuery(text=text, filters=filters))
                times.append((time.perf_counter() - started) * 1000)
                all_cpu_ms.append((time.process_time() - cpu_started) * 1000)
            all_ms.extend(times)
            per_query.append(
                {
                    "label": label,
                    "text": text,
                    "filters": filters,
                    "total": result.total,
                    "suggestion": result.suggestion,
                    "p50_ms": round(statistics.median(times), 2),
                    "max_ms": round(max(times), 2),
                }
            )
    figures = {
        "engine": engine,
        "size": size,
        **built,
        "p50_ms": round(percentile(all_ms, 0.50), 2),
        "p95_ms": round(percentile(all_ms, 0.95), 2),
        "max_ms": round(max(all_ms), 2),
        # This process's CPU time: what a query costs here whatever else the machine runs
        # (waiting for a core is in the wall-clock figures only; PostgreSQL's own work is in
        # neither, as it is another process).
        "cpu_p50_ms": round(percentile(all_cpu_ms, 0.50), 2),
        "cpu_p95_ms": round(percentile(all_cpu_ms, 0.95), 2),
        # Linux reports kilobytes.
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "queries": per_query,
    }
    if trace:
        figures["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    return figures


def print_table(results: list[dict]) -> None:
    header = (
        "engine",
        "size",
        "rebuild s",
        "p50 ms",
        "p95 ms",
        "max ms",
        "CPU p50 ms",
        "CPU p95 ms",
        "peak RSS MB",
    )
    print(" | ".join(header))
    print(" | ".join("-" * len(column) for column in header))
    for r in results:
        print(
            f"{r['engine']} | {r['size']} | {r['rebuild_s'] or 'kept'} | {r['p50_ms']} "
            f"| {r['p95_ms']} "
            f"| {r['max_ms']} | {r['cpu_p50_ms']} | {r['cpu_p95_ms']} | {r['peak_rss_mb']}"
        )
    for r in results:
        print(f"\n{r['engine']} at {r['size']}: slowest queries (p50 ms, total)")
        for q in sorted(r["queries"], key=lambda q: -q["p50_ms"])[:8]:
            filters = f" {q['filters']}" if q["filters"] else ""
            print(f"  {q['p50_ms']:8.2f}  {q['total']:>7}  {q['text']!r}{filters}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated sizes")
    parser.add_argument("--engines", default="whoosh,postgres", help="comma-separated engines")
    parser.add_argument("--repeat", "--queries", type=int, default=5, help="runs of each query")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python memory")
    parser.add_argument(
        "--data", type=Path, help="keep the built directories here and reuse them in later runs"
    )
    parser.add_argument("--one", nargs=2, metavar=("ENGINE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one:
        engine, size = args.one[0], int(args.one[1])
        figures = run_one(engine, size, args.repeat, args.seed, args.tracemalloc, args.data)
        print(json.dumps(figures))
        return

    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        for engine in args.engines.split(","):
            print(f"# {engine} at {size} ...", file=sys.stderr, flush=True)
            command = [sys.executable, "-m", "bench.search_bench", "--one", engine, str(size)]
            command += ["--repeat", str(args.repeat), "--seed", str(args.seed)]
            if args.tracemalloc:
                command.append("--tracemalloc")
            if args.data:
                command += ["--data", str(args.data.resolve())]
            done = subprocess.run(
                command,
                check=False,
                capture_output=True,
                text=True,
                cwd=Path(__file__).resolve().parent.parent,
                env={**os.environ, "CLUSTER_ENV": "development"},
            )
            if done.returncode:
                print(done.stderr, file=sys.stderr)
                raise SystemExit(f"{engine} at {size} failed")
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(
                f"#   rebuild {results[-1]['rebuild_s'] or 'kept'} s, "
                f"p95 {results[-1]['p95_ms']} ms",
                file=sys.stderr,
                flush=True,
            )
    print_table(results)
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"search-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nWritten to {path}")


if __name__ == "__main__":
    main()

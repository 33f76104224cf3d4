"""HTTP benchmark: the public pages under gunicorn, each as a share of a bare Flask app's req/s.

For each size (`--sizes 10000,100000`) a directory of synthetic organisations is built once
(bench/synthetic.py; kept in `--data`, reused by later runs), then a bare Flask app
(bench/bare_app.py) and the project are started under the same gunicorn settings
(gunicorn.conf.py, `--workers`), and wrk (Debian's package) runs `--duration` seconds with
`--connections` against each page after a warm-up. Both servers are up at once and measured in
turn, each page right after bare Flask's one-line page, and shown as a share of that. Worker RSS
is read from /proc at the end.

    .venv/bin/python -m bench.http_bench --sizes 10000
    .venv/bin/python -m bench.http_bench --profile /en/organisations --sizes 10000

`--profile PATH` runs the page in process under cProfile instead and prints where time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

# (label, path): the profile's and the sector's slugs are filled in from the data.
PAGES = [
    ("home", "/en/"),
    ("directory", "/en/organisations"),
    ("directory, kind + sector", "/en/organisations?kind=manufacturer&sector=textile"),
    ("directory, page 40 newest", "/en/organisations?sort=newest&page=40"),
    ("sector", "/en/sectors/{sector}"),
    ("profile", "/en/o/{profile}"),
    ("search, one word", "/en/search?q=textile"),
    ("search, two words + facet", "/en/search?q=small+batch&kind=manufacturer"),
    ("search, typo", "/en/search?q=fashon"),
    ("search, empty + facets", "/en/search?kind=startup&sector=fashiontech"),
    ("/api/search", "/api/search?q=textile"),
    ("/api/suggest", "/api/suggest?q=tex"),
    ("search in Russian", "/ru/search?q=%D1%82%D0%BA%D0%B0%D0%BD%D1%8C"),
    ("/api/v1/search", "/api/v1/search?q=textile"),
    ("/api/v1/organisations", "/api/v1/organisations?kind=startup"),
]


def settings(folder: Path, engine: str, size: int) -> dict[str, str]:
    """The environment the project runs with for one built directory."""
    values = {
        "INSTANCE_PATH": str(folder),
        "SECRET_KEY": "bench",
        "SEARCH_BACKEND": engine,
        "DATABASE_URL": f"sqlite:///{folder / 'cluster.sqlite3'}",
        # wrk is one client: the API's per-client limit would answer it 429 after 300 requests.
        "API_RATE_LIMIT": "100000000 per minute",
    }
    if engine == "postgres":
        values["DATABASE_URL"] = f"{POSTGRES_SERVER}/cluster_http_bench_{size}"
    return values


def build(folder: Path, engine: str, size: int, seed: int) -> dict:
    """Build the directory once (database, taxonomy, organisations, index); return its facts."""
    marker = folder / "built.json"
    if marker.exists():
        return json.loads(marker.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    values = settings(folder, engine, size)
    if engine == "postgres":
        import psycopg

        name = values["DATABASE_URL"].rsplit("/", 1)[1]
        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')

    from bench import synthetic
    from cluster import create_app
    from cluster.extensions import db
    from cluster.models import Organisation

    app = create_app(values)
    started = time.perf_counter()
    with app.app_context():
        synthetic.prepare_database()
        synthetic.fill(size, seed)
        # A profile of the most common kind, in the most common sector.
        profile = db.session.scalar(
            db.select(Organisation.slug)
            .where(Organisation.status == "published", Organisation.kind == "manufacturer")
            .order_by(Organisation.id)
            .offset(size // 2)
            .limit(1)
        ) or db.session.scalar(db.select(Organisation.slug).limit(1))
        db.engine.dispose()
    facts = {
        "size": size,
        "engine": engine,
        "profile": profile,
        "sector": "textile",
        "build_s": round(time.perf_counter() - started, 1),
    }
    marker.write_text(json.dumps(facts))
    return facts


class Server:
    """A gunicorn master serving an app on a port, stopped on leaving the block."""

    def __init__(self, app: str, port: int, workers: int, environment: dict[str, str]):
        self.url = f"http://127.0.0.1:{port}"
        command = [GUNICORN, "-c", str(ROOT / "gunicorn.conf.py"), "--workers", str(workers)]
        command += ["--bind", f"127.0.0.1:{port}", app]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **environment},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/", timeout=30):
                    return self
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"{self.url} did not answer")

    def worker_rss_mb(self) -> list[float]:
        """Each worker's resident memory, from /proc."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        sizes = []
        for child in children:
            status = Path(f"/proc/{child}/status").read_text()
            found = re.search(r"VmRSS:\s+(\d+) kB", status)
            if found:
                sizes.append(round(int(found.group(1)) / 1024, 1))
        return sizes

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def wrk(url: str, duration: int, connections: int) -> dict:
    """Run wrk against one address; its req/s, median latency and failed answers."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s"]
    output = subprocess.run(
        [*command, "--latency", url], capture_output=True, text=True, check=True
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    median = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {
        "rps": rate,
        "median_ms": float(median.group(1)) * scale[median.group(2)] if median else None,
        "failed": int(failed.group(1)) if failed else 0,
    }


def run_size(args, size: int) -> dict:
    """Build (or reuse) one size, measure every page with bare Flask just before it."""
    folder = Path(args.data) / f"{args.engine}-{size}"
    facts = build(folder, args.engine, size, args.seed)
    pages = [(label, path.format(**facts)) for label, path in PAGES]
    environment = settings(folder, args.engine, size)
    if args.page_cache is not None:
        environment["PAGE_CACHE_ENTRIES"] = str(args.page_cache)
    rows = []
    # Both are up at once and measured in turn: on a shared machine the load drifts, and
    # each page is compared with bare Flask measured a moment before.
    with (
        Server("bench.bare_app:app", args.port, args.workers, {}) as bare,
        Server("wsgi:app", args.port + 1, args.workers, environment) as server,
    ):
        wrk(bare.url + "/", args.warmup, args.connections)
        for _, path in pages:
            # Each worker loads the index's arrays and caches on its first requests.
            wrk(server.url + path, args.warmup, args.connections)
        for label, path in pages:
            reference = wrk(bare.url + "/", args.duration, args.connections)["rps"]
            measured = wrk(server.url + path, args.duration, args.connections)
            rows.append({"page": label, "path": path, "bare_rps": reference, **measured})
        rss = server.worker_rss_mb()
    cache = "default" if args.page_cache is None else args.page_cache
    return {**facts, "pages": rows, "worker_rss_mb": rss, "page_cache": cache}


def print_table(figures: dict) -> None:
    print(
        f"\n{figures['size']:,} organisations, {figures['engine']},"
        f" page cache {figures['page_cache']}"
    )
    print("| page | req/s | bare Flask just before | share | median latency | non-2xx |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in figures["pages"]:
        median = f"{row['median_ms']:.1f} ms" if row["median_ms"] is not None else "?"
        share = 100 * row["rps"] / row["bare_rps"]
        print(
            f"| {row['page']} | {row['rps']:,.0f} | {row['bare_rps']:,.0f} | {share:.0f} % |"
            f" {median} | {row['failed']} |"
        )
    print("worker RSS:", ", ".join(f"{mb:.0f} MB" for mb in figures["worker_rss_mb"]))


def profile(args, size: int) -> None:
    """Run one page in process under cProfile and print the functions taking the most time."""
    folder = Path(args.data) / f"{args.engine}-{size}"
    facts = build(folder, args.engine, size, args.seed)
    from cluster import create_app

    # Every request rendered: the page cache would answer all but the first.
    app = create_app({**settings(folder, args.engine, size), "PAGE_CACHE_ENTRIES": 0})
    client = app.test_client()
    path = args.profile.format(**facts)
    for _ in range(3):
        client.get(path)
    started = time.perf_counter()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.repeat):
        status = client.get(path).status_code
    profiler.disable()
    each = (time.perf_counter() - started) * 1000 / args.repeat
    print(f"{path}: {status}, {each:.1f} ms a request (profiled) over {args.repeat}")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)


def similar_times(args, size: int) -> None:
    """Time "Similar organisations" in process for many profiles: first pass, then again."""
    import statistics

    from cluster import create_app
    from cluster.extensions import db
    from cluster.models import Organisation
    from cluster.search import backend

    folder = Path(args.data) / f"{args.engine}-{size}"
    build(folder, args.engine, size, args.seed)
    app = create_app(settings(folder, args.engine, size))
    with app.app_context():
        step = max(1, size // args.similar)
        ids = db.session.scalars(
            db.select(Organisation.id).where(Organisation.id % step == 0).limit(args.similar)
        ).all()
        orgs = [db.session.get(Organisation, org_id) for org_id in ids]
        for org in orgs:
            org.sectors  # noqa: B018 - loaded before timing
        backend().search(backend_query())
        for label in ("first pass (term sets read)", "second pass (kept)"):
            wall, cpu = [], []
            for org in orgs:
                started, used = time.perf_counter(), time.process_time()
                backend().similar(org)
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - used) * 1000)
            # Wall time counts waiting for the CPU on a loaded machine; CPU time does not.
            print(f"{args.engine} {size:,} similar, {label}, {len(orgs)} profiles:")
            for name, times in (("wall", wall), ("CPU", cpu)):
                times.sort()
                p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                print(
                    f"  {name}: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms,"
                    f" max {times[-1]:.1f} ms"
                )


def backend_query():
    from cluster.search import SearchQuery

    return SearchQuery()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated sizes")
    parser.add_argument("--engine", default="whoosh", choices=("whoosh", "postgres"))
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of wrk before measuring")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8710)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", default=str(ROOT / "bench" / "results" / "http-data"))
    parser.add_argument(
        "--page-cache", type=int, metavar="N", help="PAGE_CACHE_ENTRIES (0: render every page)"
    )
    parser.add_argument("--profile", metavar="PATH", help="profile one page in process")
    parser.add_argument("--repeat", type=int, default=50, help="requests profiled")
    parser.add_argument("--similar", type=int, metavar="N", help="time similar for N profiles")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.profile or args.similar:
        for size in sizes:
            if args.similar:
                similar_times(args, size)
            if args.profile:
                profile(args, size)
        return
    results = []
    for size in sizes:
        figures = run_size(args, size)
        print_table(figures)
        results.append(figures)
    out = ROOT / "bench" / "results" / f"http-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()

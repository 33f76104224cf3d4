"""Open data pages at size: the sitemap, feeds, the numbers page and list downloads, in process.

For each size (`--sizes 10000,100000`) a directory of synthetic organisations (bench/synthetic.py)
is built once into `--data` (SQLite and the chosen engine's index; reused by later runs), then
each page is requested `--repeat` times through Flask's test client after one warm-up request,
and the median and slowest times, the median CPU time of the process (what a request costs
whatever else the machine runs; SQLite and Whoosh work in it) and the answer's size are
printed. The numbers page is timed with its cache emptied before each request (what a request
after a change of the index pays) and warm.

    .venv/bin/python -m bench.open_data_bench --sizes 10000
    .venv/bin/python -m bench.open_data_bench --sizes 100000 > /tmp/open-data.txt 2>&1 &
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (label, path, whether the numbers page's cache is emptied first)
PAGES = [
    ("robots.txt", "/robots.txt", False),
    ("sitemap index", "/sitemap.xml", False),
    ("sitemap, public pages", "/sitemap-pages.xml", False),
    ("sitemap, first profiles file", "/sitemap-organisations-1.xml", False),
    ("sitemap, last profiles file", "/sitemap-organisations-{last}.xml", False),
    ("profile with JSON-LD", "/en/o/{profile}", False),
    ("feed, newly published", "/en/organisations/feed", False),
    (
        "feed, kind + sector + stage",
        "/en/organisations/feed?kind=startup&sector=fashiontech&stage=mvp",
        False,
    ),
    ("feed, search words", "/en/search/feed?q=textile", False),
    ("numbers, cache emptied", "/en/numbers", True),
    ("numbers, cached", "/en/numbers", False),
    ("download .xlsx, 1,000 rows", "/en/organisations/download.xlsx", False),
    ("download CSV, search", "/en/search/download.csv?q=textile", False),
]


def settings(folder: Path, engine: str) -> dict:
    return {
        "INSTANCE_PATH": str(folder),
        "SECRET_KEY": "bench",
        "SEARCH_BACKEND": engine,
        "DATABASE_URL": f"sqlite:///{folder / 'cluster.sqlite3'}",
        "RATELIMIT_ENABLED": False,
    }


def build(folder: Path, engine: str, size: int, seed: int) -> dict:
    """Build the directory once; return its facts (kept in built.json beside it)."""
    marker = folder / "built.json"
    if marker.exists():
        return json.loads(marker.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)

    from bench import synthetic
    from cluster import create_app
    from cluster.extensions import db
    from cluster.models import Organisation

    app = create_app(settings(folder, engine))
    started = time.perf_counter()
    with app.app_context():
        synthetic.prepare_database()
        synthetic.fill(size, seed)
        profile = db.session.scalar(
            db.select(Organisation.slug)
            .where(Organisation.status == "published")
            .order_by(Organisation.id)
            .offset(size // 2)
            .limit(1)
        )
        db.engine.dispose()
    facts = {"size": size, "profile": profile, "build_s": round(time.perf_counter() - started, 1)}
    marker.write_text(json.dumps(facts))
    return facts


def run_size(args, size: int) -> list[tuple[str, float, float, float, int]]:
    """Each page's median and slowest wall-clock and median CPU milliseconds, and its bytes."""
    from cluster import create_app
    from cluster.services import sitemap

    folder = Path(args.data) / f"{args.engine}-{size}"
    facts = build(folder, args.engine, size, args.seed)
    app = create_app(settings(folder, args.engine))
    client = app.test_client()
    with app.test_request_context():
        last = sitemap.organisation_files()
    rows = []
    for label, pattern, cold in PAGES:
        path = pattern.format(last=last, profile=facts["profile"])
        client.get(path)  # warm-up: the engine's arrays, the templates
        times, cpu, length = [], [], 0
        for _ in range(args.repeat):
            if cold:
                app.extensions.pop("numbers", None)
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            length = len(response.data)
        rows.append((label, statistics.median(times), max(times), statistics.median(cpu), length))
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated sizes")
    parser.add_argument("--engine", default="whoosh", choices=("whoosh", "postgres"))
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", default=str(ROOT / "bench" / "results" / "open-data"))
    args = parser.parse_args(argv)
    for size in [int(text) for text in args.sizes.split(",")]:
        rows = run_size(args, size)
        print(f"\n{args.engine}, {size:,} organisations, {args.repeat} requests each")
        print("| page | median ms | max ms | CPU ms (median) | bytes |")
        print("| --- | --- | --- | --- | --- |")
        for label, median, slowest, cpu, length in rows:
            print(f"| {label} | {median:.1f} | {slowest:.1f} | {cpu:.1f} | {length:,} |")


if __name__ == "__main__":
    main()

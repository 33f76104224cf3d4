"""Investor view benchmark: the startups list, its CSV, and the focus blocks of profiles.

    .venv/bin/python -m bench.investor_bench                     # 10k and 100k, Whoosh
    .venv/bin/python -m bench.investor_bench --sizes 10000 --repeat 20

Each size runs on a fresh SQLite file of synthetic organisations (bench/synthetic.py; about 5%
investors, a third startups). Times are in process, through the test client (routing, the
view, the template), after one unmeasured request. Profiles need the search index (their
"similar organisations"), built once per size.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.search_bench import make_app, percentile

PAGES = [
    ("list, no filter", "/en/startups"),
    (
        "list, done-when query",
        "/en/startups?sector=fashiontech&stage=mvp&stage=revenue"
        "&from=1000000&to=20000000&sort=amount",
    ),  # fmt: skip
    ("list, newest, page 40", "/en/startups?sort=newest&page=40"),
    (
        "list, by stage, 3 sectors",
        "/en/startups?sort=stage&sector=retail&sector=textile&sector=games",
    ),  # fmt: skip
]


def timed(client, path: str, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and this process's CPU milliseconds of each request (the machine may be busy:
    CPU time is what the request costs whatever else runs)."""
    client.get(path)
    wall, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(path)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return wall, cpu


def figures(wall: list[float], cpu: list[float]) -> str:
    return (
        f"p50 {statistics.median(wall):.1f} ms, p95 {percentile(wall, 0.95):.1f}; "
        f"CPU p50 {statistics.median(cpu):.1f}, p95 {percentile(cpu, 0.95):.1f}"
    )


def run_one(size: int, repeat: int, seed: int) -> list[tuple[str, str]]:
    from bench import synthetic
    from cluster.extensions import db
    from cluster.models import Organisation
    from cluster.search import maintenance
    from cluster.services import funding, investors

    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="cluster-bench-") as tmp:
        app, _ = make_app("whoosh", Path(tmp))
        with app.app_context():
            synthetic.insert(db.session, synthetic.generate(size, seed))
            db.session.commit()
            started = time.perf_counter()
            maintenance.reindex()
            rows.append(("search index rebuild (once)", f"{time.perf_counter() - started:.1f} s"))
            started = time.perf_counter()
            arrays = funding.current()
            build = (time.perf_counter() - started) * 1000
            rows.append(
                (
                    f"arrays build ({len(arrays.startups.ids)} startups, "
                    f"{len(arrays.investors.ids)} investors)",
                    f"{build:.0f} ms",
                )
            )
            wall, cpu = [], []
            for _ in range(repeat):
                started, cpu_started = time.perf_counter(), time.process_time()
                funding._fingerprint()
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
            rows.append(("fingerprint query", figures(wall, cpu)))

            def slug_of(kind: str) -> str:
                return db.session.scalar(
                    db.select(Organisation.slug).where(Organisation.kind == kind).limit(1)
                )

            investor, startup = slug_of("investor"), slug_of("startup")
            # The focus blocks alone (a page cache may answer the profiles themselves).
            for kind, slug in (("investor", investor), ("startup", startup)):
                org = db.session.scalar(db.select(Organisation).filter_by(slug=slug))
                wall, cpu = [], []
                for _ in range(repeat):
                    started, cpu_started = time.perf_counter(), time.process_time()
                    found = investors.focus_of(org)
                    wall.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - cpu_started) * 1000)
                rows.append((f"{kind} focus block ({found.total} fit)", figures(wall, cpu)))
        # Every request checks the fingerprint: the dearest setting.
        app.config["FUNDING_CHECK_SECONDS"] = 0
        client = app.test_client()
        pages = [
            *PAGES,
            ("investor profile with focus", f"/en/o/{investor}"),
            ("startup profile with investors", f"/en/o/{startup}"),
        ]
        for label, path in pages:
            rows.append((label, figures(*timed(client, path, repeat))))
        path = "/en/startups.csv?sector=fashiontech"
        started = time.perf_counter()
        lines = client.get(path).get_data().count(b"\n") - 1
        rows.append(
            (
                f"CSV of every fashiontech startup ({lines} rows)",
                f"{(time.perf_counter() - started) * 1000:.0f} ms",
            )
        )
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    for size in args.sizes:
        print(f"\n{size:,} organisations")
        for label, figure in run_one(size, args.repeat, args.seed):
            print(f"  {label:<58} {figure}")


if __name__ == "__main__":
    main()

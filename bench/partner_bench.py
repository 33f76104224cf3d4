"""Matchmaking benchmark: "Find a partner" and profiles with their matches.

    .venv/bin/python -m bench.partner_bench --size 10000 --engine whoosh
    .venv/bin/python -m bench.partner_bench --size 100000 --engine postgres --repeat 5

Builds a fresh directory of synthetic organisations (bench/synthetic.py) on one engine, as
bench.search_bench does, then times, after one unmeasured warm-up pass:
- partner searches (services/partners.find) for a fixed mix of needs in both languages;
- the matches block of a profile (partners.profile_matches) for a sample of startups and
  providers, and the whole profile page with it (GET /en/o/<slug>, in process).
Prints p50 and p95 in milliseconds. Goals at 100,000: partner search p95 ≤ 50 ms, a profile
with its matches ≤ 30 ms. With `--data FOLDER` the directory is kept there and reused (the
folder bench.search_bench --data keeps).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from bench.search_bench import percentile, prepared

NEEDS = [
    {"text": "sew 300 jackets"},
    {"text": "jacket factory"},
    {"text": "швейная фабрика"},
    {"text": "закройщик"},
    {"text": "DTF printing"},
    {"text": "печать на ткани малой партией"},
    {"text": "small-batch sewing", "max_min_order": 100},
    {"text": "laser cutting", "residents_only": True},
    {"text": "3D body scanning", "kind": "company"},
    {"text": "knitwear production partner", "quantity": 500},
    {"capabilities": ["digital-textile-printing", "sublimation-printing"]},
    {"capabilities": ["garment-sewing"], "city": "Ivanovo"},
]


# This process's CPU time of each call, beside the wall clock: what a call costs whatever
# else the machine runs (PostgreSQL's own work is in the wall clock only).
CPU: list[float] = []


def timed(function, *args) -> float:
    started, cpu_started = time.perf_counter(), time.process_time()
    function(*args)
    CPU.append((time.process_time() - cpu_started) * 1000)
    return (time.perf_counter() - started) * 1000


def summary(label: str, times: list[float]) -> str:
    cpu = CPU[-len(times) :]
    return (
        f"{label:28} n={len(times):4}  p50 {statistics.median(times):7.2f} ms"
        f"  p95 {percentile(times, 0.95):7.2f} ms  max {max(times):7.2f} ms"
        f"  cpu p50 {statistics.median(cpu):6.2f} ms  cpu p95 {percentile(cpu, 0.95):6.2f} ms"
    )


def run(
    engine: str, size: int, repeat: int, seed: int, profiles: int, data: Path | None = None
) -> None:
    """Build one directory (or reuse the one kept in `data`) and print the figures."""
    import sqlalchemy as sa

    from cluster.extensions import db
    from cluster.models import Organisation
    from cluster.services import partners

    with prepared(engine, size, seed, data) as (app, built):
        if built["rebuild_s"] is not None:
            print(f"{engine} {size:,}: built, index rebuilt in {built['rebuild_s']} s")
        with app.app_context():
            slugs = list(
                db.session.scalars(
                    sa.select(Organisation.slug).where(
                        sa.or_(
                            Organisation.kind.in_(("startup", "company")),
                            Organisation.kind == "manufacturer",
                        )
                    )
                )
            )
            db.session.remove()
        sample = random.Random(seed).sample(slugs, min(profiles, len(slugs)))
        client = app.test_client()
        with app.test_request_context("/en/"):
            needs = [partners.Need(**need) for need in NEEDS]
            for need in needs:  # warm-up
                partners.find(need)
            search_ms = [timed(partners.find, need) for _ in range(repeat) for need in needs]
            orgs = [
                db.session.scalar(sa.select(Organisation).filter_by(slug=slug)) for slug in sample
            ]
            for org in orgs[:5]:
                partners.profile_matches(org)
            matches_ms = [timed(partners.profile_matches, org) for org in orgs]
        for slug in sample[:5]:
            client.get(f"/en/o/{slug}")
        # Not the five pages just asked for: the page cache would answer them.
        page_ms = [timed(client.get, f"/en/o/{slug}") for slug in sample[5:]]
        cpu = list(CPU)
        for label, times in (
            ("partner search", search_ms),
            ("profile matches block", matches_ms),
            ("profile page with matches", page_ms),
        ):
            CPU[:] = cpu[: len(times)]
            cpu = cpu[len(times) :]
            print(summary(label, times))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("whoosh", "postgres"), default="whoosh")
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profiles", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--data", type=Path, help="keep the built directory here, as bench.search_bench does"
    )
    args = parser.parse_args(argv)
    run(args.engine, args.size, args.repeat, args.seed, args.profiles, args.data)


if __name__ == "__main__":
    main()

"""The public submission's duplicate check, timed before and after the indexed keys.

    .venv/bin/python -m bench.duplicate_bench                          # Whoosh, 10k and 100k
    .venv/bin/python -m bench.duplicate_bench --sizes 10000 --engines whoosh,postgres

For each engine and size: a fresh database with N synthetic published organisations
(bench/synthetic.py) and their search index, the keys filled as `init-db` fills them; then a
fixed set of submissions (an existing name, the same name with a typo, in the other alphabet,
with a legal form, an existing e-mail, website or phone, and a new organisation) is checked
`--repeat` times each, by

- before: what a submission cost until now, every organisation's name, website, e-mail and
  phone read and normalised, then compared (DuplicateFinder over the whole table);
- after: `likely_duplicates(values, statuses=("published",))`, as the submission form calls it:
  indexed keys looked up, similar names from the search index compared.

Prints p50 / p95 / max per engine and size.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from bench.search_bench import drop_database, make_app, percentile


def submissions(sample) -> list[tuple[str, dict]]:
    """What the public might send, built around one existing organisation."""
    name, website, email, phone = sample
    typo = name[:-2] + name[-1] + name[-2] if len(name) > 3 else name + "x"
    return [
        ("same name", {"name": name}),
        ("typo", {"name": typo}),
        ("legal form", {"name": f"ООО «{name}»"}),
        ("word order", {"name": " ".join(reversed(name.split()))}),
        ("same e-mail", {"name": "Quite Another Studio", "email": email}),
        ("same website", {"name": "Quite Another Studio", "website": website}),
        ("same phone", {"name": "Quite Another Studio", "phone": phone}),
        ("new", {"name": "Zephyr Loom Collective", "email": "hello@zephyr.example"}),
    ]


def check_before(values: dict) -> list:
    """The check as it was: every row's contact columns read and normalised, then compared."""
    from cluster.duplicate_keys import keys_of
    from cluster.extensions import db
    from cluster.models import Organisation
    from cluster.services.duplicates import Candidate, DuplicateFinder

    columns = (
        Organisation.id,
        Organisation.name,
        Organisation.name_alt,
        Organisation.website,
        Organisation.email,
        Organisation.phone,
    )
    candidates = []
    for row in db.session.execute(sa.select(*columns)):
        candidates.append(Candidate.from_keys(row.id, keys_of(dict(row._mapping))))
    found = DuplicateFinder(candidates).find(values)
    return [(org, reason) for org, reason in found if org.is_public]


def check_after(values: dict) -> list:
    from cluster.services.duplicates import likely_duplicates

    return likely_duplicates(values, statuses=("published",))


def timed(check, cases, repeat: int) -> tuple[list[float], list[float], dict[str, str]]:
    """Milliseconds of each run, wall-clock and this process's CPU time (what a check costs
    whatever else the machine runs; the database server's own work is not in it), and per
    case the matches found and the median time."""
    from cluster.extensions import db

    runs, cpu_runs, found = [], [], {}
    for label, values in cases:
        check(values)  # warm-up
        times = []
        for _ in range(repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            matches = check(values)
            times.append((time.perf_counter() - started) * 1000)
            cpu_runs.append((time.process_time() - cpu_started) * 1000)
            db.session.rollback()
        runs += times
        found[label] = f"{len(matches)} found, p50 {percentile(times, 0.5):.1f} ms"
    return runs, cpu_runs, found


def run_one(engine: str, size: int, repeat: int, before_repeat: int) -> list[dict]:
    from bench import synthetic
    from cluster.extensions import db
    from cluster.models import Organisation
    from cluster.search import maintenance
    from cluster.services.duplicates import fill_missing_keys

    with tempfile.TemporaryDirectory(prefix="cluster-dup-bench-") as tmp:
        app, database = make_app(engine, Path(tmp))
        try:
            with app.test_request_context():
                synthetic.insert(db.session, synthetic.generate(size, seed=1))
                fill_missing_keys()
                db.session.commit()
                maintenance.reindex()
                sample = db.session.execute(
                    sa.select(
                        Organisation.name,
                        Organisation.website,
                        Organisation.email,
                        Organisation.phone,
                    )
                    .where(Organisation.email != "", Organisation.website != "")
                    .order_by(Organisation.id)
                    .offset(size // 2)
                    .limit(1)
                ).one()
                cases = submissions(tuple(sample))
                rows = []
                for name, check, times in (
                    ("before", check_before, before_repeat),
                    ("after", check_after, repeat),
                ):
                    runs, cpu_runs, found = timed(check, cases, times)
                    rows.append(
                        {
                            "engine": engine,
                            "size": size,
                            "code": name,
                            "runs": len(runs),
                            "p50": percentile(runs, 0.5),
                            "p95": percentile(runs, 0.95),
                            "max": max(runs),
                            "cpu_p50": percentile(cpu_runs, 0.5),
                            "cpu_p95": percentile(cpu_runs, 0.95),
                            "found": found,
                        }
                    )
                return rows
        finally:
            with app.app_context():
                db.engine.dispose()
            if database:
                drop_database(database)


def print_table(rows: list[dict]) -> None:
    print(
        "| engine | organisations | check | runs | p50 ms | p95 ms | max ms "
        "| CPU p50 ms | CPU p95 ms |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(
            f"| {row['engine']} | {row['size']:,} | {row['code']} | {row['runs']} "
            f"| {row['p50']:.1f} | {row['p95']:.1f} | {row['max']:.1f} "
            f"| {row['cpu_p50']:.1f} | {row['cpu_p95']:.1f} |"
        )
    print()
    for row in rows:
        print(f"{row['engine']} {row['size']:,} {row['code']}: {row['found']}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--engines", default="whoosh")
    parser.add_argument("--repeat", type=int, default=20, help="runs of each case, after")
    parser.add_argument(
        "--before-repeat", type=int, default=2, help="runs of each case, before (slow)"
    )
    args = parser.parse_args(argv)
    rows = []
    for engine in args.engines.split(","):
        for size in (int(size) for size in args.sizes.split(",")):
            rows += run_one(engine, size, args.repeat, args.before_repeat)
    print_table(rows)


if __name__ == "__main__":
    main()

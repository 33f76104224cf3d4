"""The demo directory file and the synthetic generator for benchmarks."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench import synthetic
from cluster.extensions import db
from cluster.models import KINDS, LOOKING_FOR, RESIDENCIES, STAGES, STATUSES, Organisation

DATA = Path(__file__).resolve().parent.parent / "data"
DEMO_FILE = DATA / "demo.csv"
HEADER = [
    "name",
    "name_alt",
    "slug",
    "kind",
    "residency",
    "status",
    "summary",
    "description",
    "sectors",
    "tags",
    "capabilities",
    "needs",
    "looking_for",
    "stage",
    "funding_sought",
    "currency",
    "founded_year",
    "team_size",
    "city",
    "address",
    "building",
    "website",
    "email",
    "phone",
    "equipment",
    "min_order",
    "programmes",
    "investor_type",
    "focus_stages",
    "ticket_min",
    "ticket_max",
    "ticket_currency",
    "instruments",
]
CYRILLIC = re.compile("[А-Яа-яЁё]")


def split(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(";") if item.strip()]


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    with DEMO_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def sector_names() -> dict[str, str]:
    """Every sector's slug, English and Russian name, case-folded, mapped to its slug."""
    names = {}
    for entry in json.loads((DATA / "sectors.json").read_text(encoding="utf-8")):
        for key in (entry["slug"], entry["name"], entry["name_ru"]):
            names[key.casefold()] = entry["slug"]
    return names


def test_demo_file_is_utf8_without_bom_and_has_the_importer_header():
    raw = DEMO_FILE.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    raw.decode("utf-8")
    with DEMO_FILE.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == HEADER


def test_demo_has_at_least_sixty_organisations_of_every_kind_and_residency(rows):
    assert len(rows) >= 60
    kinds = Counter(row["kind"] for row in rows)
    assert set(kinds) == set(KINDS)
    assert all(count >= 8 for count in kinds.values())
    residencies = Counter(row["residency"] or "resident" for row in rows)
    assert set(residencies) == set(RESIDENCIES)
    assert residencies["resident"] > residencies["partner"]


def test_demo_spans_at_least_ten_known_sectors(rows, sector_names):
    used = Counter()
    for row in rows:
        cells = split(row["sectors"])
        assert cells, f"{row['name']} has no sector"
        for cell in cells:
            assert cell.casefold() in sector_names, f"{row['name']}: unknown sector {cell!r}"
            used[sector_names[cell.casefold()]] += 1
    assert len(used) >= 10


def test_demo_has_russian_profiles_with_a_latin_name(rows):
    russian = [row for row in rows if CYRILLIC.search(row["name"])]
    assert len(russian) >= 10
    for row in russian:
        assert row["name_alt"] and not CYRILLIC.search(row["name_alt"]), row["name"]
        for column in ("summary", "description", "capabilities"):
            assert CYRILLIC.search(row[column]), f"{row['name']}: {column} is not in Russian"
    kalibr = next(row for row in rows if row["name"] == "Калибр")
    assert kalibr["name_alt"] == "Kalibr" and kalibr["kind"] == "manufacturer"


def test_demo_names_and_slugs_are_unique(rows):
    names = [row["name"].casefold() for row in rows]
    assert len(names) == len(set(names))
    slugs = [row["slug"] for row in rows if row["slug"]]
    assert len(slugs) == len(set(slugs))
    assert len(slugs) < len(rows), "some rows should leave the slug to the importer"


def test_demo_contacts_use_only_the_reserved_example_domain(rows):
    for row in rows:
        assert re.fullmatch(r"https://[a-z0-9-]+\.example", row["website"]), row["website"]
        assert re.fullmatch(r"[a-z]+@[a-z0-9-]+\.example", row["email"]), row["email"]
        assert row["phone"].startswith("+7 900 000-00-")


def test_demo_values_are_ones_the_importer_accepts(rows):
    for row in rows:
        name = row["name"]
        assert set(split(row["looking_for"])) <= set(LOOKING_FOR), name
        assert (row["status"] or "published") in STATUSES, name
        assert row["stage"] in ("", *STAGES), name
        assert 1995 <= int(row["founded_year"]) <= 2025, name
        assert int(row["team_size"]) > 0, name
        assert len(row["summary"]) < 200, name
        if row["funding_sought"]:
            assert int(row["funding_sought"]) > 0 and row["currency"] in ("RUB", "EUR", "USD")
        for entry in split(row["programmes"]):
            assert len([part for part in entry.split("|") if part.strip()]) == 4, entry


def test_demo_offers_what_startups_look_for(rows):
    """Partner search needs both sides: startups' needs and others' capabilities."""

    def offered(phrase):
        return [
            r["name"]
            for r in rows
            if r["kind"] != "startup"
            and any(phrase in c.casefold() for c in split(r["capabilities"]))
        ]

    for phrase in (
        "small-batch sewing",
        "knitwear production",
        "digital textile printing",
        "sublimation printing",
        "laser cutting",
        "embroidery",
        "3d printing",
        "pattern-cutting courses",
        "3d garment design training",
        "пошив одежды",
        "текстильное производство",
        "цифровая печать",
    ):
        assert offered(phrase), phrase
    needs = " ".join(r["needs"].casefold() for r in rows if r["kind"] == "startup")
    for phrase in ("manufacturing partner for 300 jackets", "seed investment", "textile supplier"):
        assert phrase in needs


def test_demo_kind_specific_fields_are_filled(rows):
    startups = [row for row in rows if row["kind"] == "startup"]
    assert all(row["stage"] for row in startups)
    assert {row["currency"] for row in startups if row["currency"]} == {"RUB", "EUR", "USD"}
    for row in rows:
        if row["kind"] == "manufacturer":
            assert row["equipment"] and row["min_order"], row["name"]
        if row["kind"] == "education":
            assert row["programmes"], row["name"]
    assert {row["status"] for row in rows} >= {"", "draft", "pending", "archived"}


def test_generated_records_have_unique_slugs_all_kinds_and_known_sectors():
    records = list(synthetic.generate(200, seed=7))
    assert len(records) == 200
    assert len({record["slug"] for record in records}) == 200
    assert {record["kind"] for record in records} == set(KINDS)
    assert all(set(record) == set(synthetic.COLUMNS) for record in records)
    for record in records:
        assert record["sectors"] and set(record["sectors"]) <= set(synthetic.SECTOR_SLUGS)
        assert set(record["looking_for"]) <= set(LOOKING_FOR)
        assert record["stage"] in ("", *STAGES)
    russian = sum(bool(CYRILLIC.search(record["name"])) for record in records)
    assert 30 <= russian <= 100
    assert records == list(synthetic.generate(200, seed=7))


def test_generated_slugs_stay_unique_when_names_repeat():
    records = list(synthetic.generate(3000, seed=1))
    names = Counter(record["name"] for record in records)
    assert names.most_common(1)[0][1] > 1
    assert len({record["slug"] for record in records}) == len(records)


def test_insert_puts_generated_records_in_the_database_as_published(app):
    records = list(synthetic.generate(200, seed=3))
    with app.app_context():
        assert synthetic.insert(db.session, records, batch_size=64) == 200
        db.session.commit()
        organisations = db.session.scalars(sa.select(Organisation)).all()
        assert len(organisations) == 200
        assert {org.status for org in organisations} == {"published"}
        by_slug = {org.slug: org for org in organisations}
        for record in records:
            org = by_slug[record["slug"]]
            assert org.name == record["name"]
            assert [sector.slug for sector in org.sectors] == sorted(
                record["sectors"], key=synthetic.SECTOR_SLUGS.index
            )
            assert org.capabilities == record["capabilities"]
            assert org.programmes == record["programmes"]
            assert org.version == 1


def test_generated_csv_has_the_importer_header_and_one_row_per_record(capsys):
    synthetic.main(["25", "--seed", "2"])
    lines = capsys.readouterr().out.splitlines()
    parsed = list(csv.DictReader(lines))
    assert list(parsed[0]) == HEADER
    assert len(parsed) == 25
    record = next(synthetic.generate(1, seed=2))
    assert parsed[0]["sectors"] == ";".join(record["sectors"])


def test_importer_accepts_the_demo_file_and_a_second_import_adds_nothing(app):
    from cluster.services import importer

    with app.app_context():
        preview = importer.import_file(DEMO_FILE, dry_run=True)
        assert preview.errors == []
        assert len(preview.created) == preview.rows >= 60
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 0

        report = importer.import_file(DEMO_FILE)
        assert report.errors == [] and report.written
        again = importer.import_file(DEMO_FILE)
        assert again.errors == [] and again.created == [] and again.updated == []
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == len(
            report.created
        )
        kalibr = db.session.scalar(sa.select(Organisation).filter_by(name="Калибр"))
        assert kalibr.slug == "kalibr" and "пошив одежды" in kalibr.capabilities
        derived = db.session.scalar(sa.select(Organisation).filter_by(name="Узор"))
        assert derived.slug and derived.slug.isascii()


def test_importer_accepts_generated_csv(app, tmp_path, capsys):
    from cluster.services import importer

    synthetic.main(["150", "--seed", "5"])
    path = tmp_path / "synthetic.csv"
    path.write_text(capsys.readouterr().out, encoding="utf-8")
    with app.app_context():
        report = importer.import_file(path, dry_run=True)
        assert report.errors == []
        assert len(report.created) == 150


def test_every_demo_organisation_offers_or_needs_canonical_capabilities(app):
    from cluster.services import importer

    with app.app_context():
        assert importer.import_file(DEMO_FILE).errors == []
        orgs = list(db.session.scalars(sa.select(Organisation)))
        assert [org.name for org in orgs if not (org.offers or org.needs_capabilities)] == []
        manufacturers = [org for org in orgs if org.kind == "manufacturer"]
        assert manufacturers
        for org in manufacturers:
            assert org.min_order_quantity and org.min_order_unit, org.name

"""Exporting organisations: the import format exactly, and no formulas for spreadsheets."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from cluster import fields
from cluster.extensions import db
from cluster.models import Organisation, Sector
from cluster.services import exporter, importer, records
from tests.helpers import build_app


def add_varied_organisations() -> None:
    """Organisations using every column, with awkward values a round trip must survive."""
    sectors = {s.slug: s for s in db.session.scalars(sa.select(Sector))}
    sector = sectors.__getitem__
    db.session.add_all(
        [
            Organisation(
                slug="kalibr",
                name="Калибр",
                name_alt="Kalibr",
                kind="manufacturer",
                residency="partner",
                status="published",
                summary='=HYPERLINK("https://evil.example","click")',
                description='Line one; with a semicolon\nLine two, "quoted"',
                sectors=[sector("textile"), sector("digital-printing")],
                tags=["ткани", "-minus"],
                capabilities=["sewing", "@mention"],
                needs=["suppliers"],
                looking_for=["suppliers", "customers"],
                # Sewing is read from its capabilities; DTF printing and fabric supply were
                # ticked by hand.
                offers=["garment-sewing", "dtf-printing"],
                needs_capabilities=["fabric-supply"],
                equipment=["Juki DDL-8700", "+plus"],
                min_order="50 pieces",
                capacity="2,000 pieces a month",
                founded_year=1998,
                team_size=40,
                city="Иваново",
                address="7 Tkatskaya St",
                building="A",
                floor="2",
                unit="214",
                website="https://kalibr.example",
                email="info@kalibr.example",
                phone="+7 900 111-22-33",
                social_links=["https://t.me/kalibr"],
            ),
            Organisation(
                slug="loom-academy",
                name="Loom Academy",
                kind="education",
                status="draft",
                summary="'=already quoted",
                description="-- a dash first",
                programmes=[
                    {
                        "name": "Pattern cutting",
                        "level": "certificate",
                        "format": "evening",
                        "duration": "3 months",
                    },
                    {"name": "Knitwear", "level": "", "format": "online", "duration": ""},
                ],
                sectors=[sector("education")],
                offers=["knitwear-production", "pattern-cutting"],
            ),
            Organisation(
                slug="stitchbot",
                name="Stitchbot",
                kind="startup",
                status="archived",
                stage="mvp",
                funding_sought=1_500_000,
                currency="RUB",
                looking_for=["investment"],
            ),
        ]
    )
    db.session.commit()


def comparable(orgs) -> list[dict]:
    return [records.to_json_record(org) for org in orgs]


def test_cells_that_start_a_formula_get_a_leading_quote():
    assert exporter.neutralise("=1+1") == "'=1+1"
    assert exporter.neutralise("+7 900 111-22-33") == "'+7 900 111-22-33"
    assert exporter.neutralise("-2") == "'-2"
    assert exporter.neutralise("@SUM(A1)") == "'@SUM(A1)"
    # A tab or a line break could also start a cell of its own: the "=" after it too.
    assert exporter.neutralise("\t=x") == "'\t'=x"
    assert exporter.neutralise("\r=x") == "'\r'=x"
    assert exporter.neutralise("'=x") == "''=x"
    assert exporter.neutralise("a=b") == "a=b"
    assert exporter.neutralise("'plain") == "'plain"
    assert exporter.neutralise("") == ""


def test_csv_export_neutralises_every_formula_cell(app):
    with app.app_context():
        add_varied_organisations()
        text = exporter.export_csv(exporter.select_organisations())
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    kalibr = next(row for row in rows if row["slug"] == "kalibr")
    assert kalibr["summary"] == '\'=HYPERLINK("https://evil.example","click")'
    assert kalibr["phone"] == "'+7 900 111-22-33"
    # List items follow a ";", where a spreadsheet reading ";" starts a cell.
    assert kalibr["tags"] == "ткани; '-minus"
    assert kalibr["capabilities"] == "sewing; '@mention"
    assert kalibr["equipment"] == "Juki DDL-8700; '+plus"
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_csv_export_header_is_the_import_columns(app):
    with app.app_context():
        text = exporter.export_csv([])
    assert text == ",".join(fields.COLUMNS) + "\r\n"
    assert exporter.export_csv([], bom=True).startswith("\ufeffname,name_alt,slug,")


def test_json_export_keeps_natural_types(app):
    with app.app_context():
        add_varied_organisations()
        data = json.loads(exporter.export_json(exporter.select_organisations(["archived"])))
    assert [item["slug"] for item in data] == ["stitchbot"]
    stitchbot = data[0]
    assert list(stitchbot) == list(fields.COLUMNS)
    assert stitchbot["funding_sought"] == 1_500_000
    assert stitchbot["founded_year"] is None
    assert stitchbot["looking_for"] == ["investment"]
    assert stitchbot["sectors"] == []


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_export_then_import_into_an_empty_directory_gives_the_same_organisations(
    app, tmp_path, file_format
):
    with app.app_context():
        add_varied_organisations()
        orgs = exporter.select_organisations()
        original = comparable(orgs)
        text = exporter.export(orgs, file_format)
    path = tmp_path / f"export.{file_format}"
    path.write_text(text, encoding="utf-8", newline="")

    other = build_app(tmp_path / "other")
    with other.app_context():
        report = importer.import_file(path)
        assert report.ok, report.errors
        assert sorted(report.created) == ["kalibr", "loom-academy", "stitchbot"]
        assert comparable(exporter.select_organisations()) == original
        assert exporter.export(exporter.select_organisations(), file_format) == text
        db.engine.dispose()


def test_export_command_writes_the_chosen_statuses_to_a_file(app, runner, tmp_path):
    with app.app_context():
        add_varied_organisations()
    out = tmp_path / "out.csv"
    result = runner.invoke(
        args=["export", "--status", "published", "--status", "draft", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert [row["slug"] for row in rows] == ["kalibr", "loom-academy"]


def test_export_command_prints_json_to_standard_output(app, runner):
    with app.app_context():
        add_varied_organisations()
    result = runner.invoke(args=["export", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [item["slug"] for item in json.loads(result.output)] == [
        "kalibr",
        "loom-academy",
        "stitchbot",
    ]


def test_export_command_refuses_an_unknown_status(runner):
    result = runner.invoke(args=["export", "--status", "deleted"])
    assert result.exit_code == 2
    assert "deleted" in result.output

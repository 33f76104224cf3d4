"""The CSV export runs no formula in a spreadsheet, whichever separator it reads the file with."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest

from cluster.services import exporter, importer
from tests.factories import make_org
from tests.servers import install_debian_package, skip_or_fail

# Each would be a formula cell of its own in a spreadsheet reading ";" (or a tab, or a comma)
# as the separator, or starting a row at a line break inside the cell.
PAYLOADS = {
    "summary": "x;=2*21;y",
    "description": "First line\n=2*21;",
    "city": "Ivanovo,=2*21",
    "address": "Street 1;\t=2*21",
    "min_order": "10; +2*21",
    "capacity": "a;@SUM(21;21)",
    "building": "B;-2*21",
    "floor": "'=2*21",
}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def exported(app, staff):
    """The staff export of one organisation whose fields carry formulas after separators."""
    with app.app_context():
        make_org("Formula Works", slug="formula-works", **PAYLOADS)
    staff.login()
    response = staff.client.get("/en/staff/export?format=csv")
    assert response.status_code == 200
    return response.get_data(as_text=True).lstrip("\ufeff")


@pytest.mark.parametrize("separator", [";", ",", "\t"], ids=["semicolon", "comma", "tab"])
def test_no_cell_read_with_any_separator_starts_a_formula(exported, separator):
    rows = list(csv.reader(io.StringIO(exported, newline=""), delimiter=separator))
    # A reader that ignores quotes, as a spreadsheet splitting on ";" does.
    lines = exported.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cells = [cell for row in rows for cell in row]
    cells += [cell.lstrip('"') for line in lines for cell in line.split(separator)]
    assert not [cell for cell in cells if cell.lstrip(" ").startswith(TRIGGERS)]


def test_an_export_imports_back_to_the_same_values(app, exported, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(exported, encoding="utf-8")
    with app.app_context():
        rows = importer.read_file(path)
    [(_number, record)] = rows
    for column, value in PAYLOADS.items():
        assert record[column] == value


def test_neutralise_and_restore_are_inverse():
    values = ["", "plain", "=1", "'=1", "a;=1", "a;'=1", "a; =1", "a\n\t=1", ";;=", "a,@b,-c"]
    for value in values:
        assert exporter.restore(exporter.neutralise(value)) == value


@pytest.fixture(scope="session")
def soffice():
    """LibreOffice's command, installed from Debian when it is missing."""
    if not shutil.which("soffice"):
        reason = install_debian_package("libreoffice-calc")
        if reason:
            skip_or_fail("the LibreOffice test", reason)
    return shutil.which("soffice")


def test_libreoffice_reading_semicolons_evaluates_no_formula(exported, soffice, tmp_path):
    source = tmp_path / "organisations.csv"
    source.write_text(exported, encoding="utf-8")
    # Import: ";" separates, '"' quotes, UTF-8, from line 1, ..., and evaluate formulas (the
    # 13th option). Export: "|" separates, so a computed 42 shows as a cell of its own.
    done = subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--infilter=CSV:59,34,76,1,,0,false,true,false,false,false,-1,true",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):124,34,76",
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    converted = tmp_path / "out" / "organisations.csv"
    assert converted.exists(), done.stdout + done.stderr
    cells = [
        cell.strip('"') for line in converted.read_text().splitlines() for cell in line.split("|")
    ]
    assert "42" not in cells
    assert not [cell for cell in cells if cell.startswith("Err:")]

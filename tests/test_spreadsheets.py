"""Excel files in: .xlsx made by openpyxl, CSV as Russian Excel saves it (Windows-1251, ';'),
UTF-8 with a BOM and Excel's UTF-16 "Unicode text", through the importer, the browser and the
command line, with the same row errors as any CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from cluster.services import exporter, importer, spreadsheets
from tests.factories import count_orgs, find_org, make_org
from tests.helpers import build_app

ROWS = [
    ["name", "kind", "city", "founded_year", "team_size", "phone", "summary"],
    ["Калибр", "manufacturer", "Иваново", 2019, 12.0, 74951234567, "Ткани; трикотаж"],
    ["Smart Weave", "startup", "Moscow", 2021, 3, "+7 495 000-00-00", "=SUM(A1:A2) as text"],
]
TEXT_ROWS = [[str(cell) for cell in row] for row in ROWS]


def xlsx_bytes(rows) -> bytes:
    """A workbook made by openpyxl with the rows on its first sheet, "=..." typed as text."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding: str, delimiter: str) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def records(data: bytes, file_format: str) -> list[dict]:
    return [dict(record) for _number, record in importer.read_bytes(data, file_format)]


def test_xlsx_numbers_come_back_as_the_digits_people_typed(app):
    with app.app_context():
        found = records(xlsx_bytes(ROWS), "xlsx")
    assert found[0] == {
        "name": "Калибр",
        "kind": "manufacturer",
        "city": "Иваново",
        "founded_year": "2019",
        "team_size": "12",
        "phone": "74951234567",
        "summary": "Ткани; трикотаж",
    }
    # Text that looks like a formula is text in a workbook, kept as it is.
    assert found[1]["summary"] == "=SUM(A1:A2) as text"


def test_xlsx_dates_fractions_and_padding(app):
    rows = [
        ["name", "kind", "summary", "min_order", None, None],
        ["Dated", "company", datetime(2024, 3, 5), 2.5, None, None],
        [None, None, None, None, None, None],
        ["Timed", "company", datetime(2024, 3, 5, 14, 30), date(2020, 1, 2), None, None],
    ]
    with app.app_context():
        found = records(xlsx_bytes(rows), "xlsx")
    assert [(r["summary"], r["min_order"]) for r in found] == [
        ("2024-03-05", "2.5"),
        ("2024-03-05 14:30:00", "2020-01-02"),
    ]


def test_xlsx_imports_with_the_row_numbers_excel_shows(app, tmp_path):
    rows = [*ROWS, ["Bad", "spaceship", "", "", "", "", ""], ["Worse", "company", "", 1200]]
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    csv_path = tmp_path / "list.csv"
    as_typed = [[spreadsheets.cell_text(cell) for cell in row] for row in rows]
    csv_path.write_bytes(csv_bytes(as_typed, "utf-8", ","))
    with app.app_context():
        report = importer.import_file(path)
        as_csv = importer.import_file(csv_path)
    assert not report.written
    assert [error.split(":")[0] for error in report.errors] == [
        "row 4, column kind",
        "row 5, column founded_year",
    ]
    # The same rows as CSV give the same errors.
    assert report.errors == as_csv.errors


def test_xlsx_import_writes_the_organisations(app, tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_bytes(ROWS))
    with app.app_context():
        report = importer.import_file(path)
        assert report.written, report.errors
        kalibr = find_org("kalibr")
        assert (kalibr.founded_year, kalibr.team_size, kalibr.city) == (2019, 12, "Иваново")
        assert find_org("smart-weave").summary == "=SUM(A1:A2) as text"


def test_cell_showing_an_error_is_refused_with_its_place(app):
    rows = [["name", "kind", "team_size"], ["Broken", "company", "#DIV/0!"]]
    with app.app_context(), pytest.raises(importer.FileRefused) as refused:
        records(xlsx_bytes(rows), "xlsx")
    assert refused.value.args == ("row 2, column C: the cell shows the spreadsheet error #DIV/0!",)


def test_not_a_workbook_is_refused(app):
    with app.app_context(), pytest.raises(importer.FileRefused) as refused:
        records(b"name,kind\r\nA,startup\r\n", "xlsx")
    assert "not an Excel workbook" in refused.value.args[0]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "read_as"),
    [
        ("cp1251", ";", "Read as Windows-1251, separator ;."),
        ("cp1251", ",", "Read as Windows-1251, separator ,."),
        ("utf-8-sig", ";", "Read as UTF-8, separator ;."),
        ("utf-8-sig", ",", "Read as UTF-8, separator ,."),
        ("utf-8", ",", "Read as UTF-8, separator ,."),
        ("utf-16", "\t", "Read as UTF-16, separator tab."),
    ],
)
def test_csv_in_the_encodings_and_separators_excel_saves(app, encoding, delimiter, read_as):
    data = csv_bytes(TEXT_ROWS, encoding, delimiter)
    with app.app_context():
        assert spreadsheets.describe(data, "csv") == read_as
        found = records(data, "csv")
    assert [(r["name"], r["city"], r["summary"]) for r in found] == [
        ("Калибр", "Иваново", "Ткани; трикотаж"),
        ("Smart Weave", "Moscow", "=SUM(A1:A2) as text"),
    ]


def test_russian_excel_csv_keeps_formula_quotes_safe_both_ways(app):
    with app.app_context():
        make_org("Formula Lab", summary="=1+2", tags=["-1", "@me"])
        text = exporter.export_csv(exporter.select_organisations(), delimiter=";")
        # As Russian Excel saves it again: Windows-1251, ";".
        found = records(text.encode("cp1251"), "csv")
    assert found[0]["summary"] == "=1+2"
    assert found[0]["tags"] == "-1; @me"


def test_staff_upload_of_russian_excel_csv_shows_how_it_was_read(app, staff):
    staff.login()
    data = csv_bytes(TEXT_ROWS, "cp1251", ";")
    response = staff.post(
        "/en/staff/import",
        data={"file": (io.BytesIO(data), "список.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Read as Windows-1251, separator ;." in page
    assert "2 rows in the file." in page


def test_staff_upload_of_a_workbook_previews_and_imports(app, staff):
    staff.login()
    response = staff.post(
        "/en/staff/import",
        data={"file": (io.BytesIO(xlsx_bytes(ROWS)), "residents.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    page = staff.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Read from the first sheet of the workbook" in page
    token = response.headers["Location"].rstrip("/").split("/")[-1]
    staff.post(f"/en/staff/import/{token}/run", follow_redirects=True)
    assert count_orgs(app=app) == 2


def test_staff_upload_of_a_workbook_with_bad_rows_lists_them(app, staff):
    staff.login()
    rows = [*ROWS, ["Bad", "spaceship"]]
    response = staff.post(
        "/en/staff/import",
        data={"file": (io.BytesIO(xlsx_bytes(rows)), "residents.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "row 4, column kind" in response.get_data(as_text=True)
    assert count_orgs(app=app) == 0


def test_command_line_imports_a_workbook(app, runner, tmp_path):
    path = tmp_path / "residents.xlsx"
    path.write_bytes(xlsx_bytes(ROWS))
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert count_orgs(app=app) == 2


def test_exported_workbook_imports_into_an_empty_directory_unchanged(app, tmp_path):
    with app.app_context():
        make_org(
            "Калибр",
            kind="manufacturer",
            sectors=["textile"],
            founded_year=2019,
            funding_sought=None,
            tags=["трикотаж", "=cmd"],
            summary="-5% on orders; @everyone",
        )
        before = exporter.export_json(exporter.select_organisations())
        data = spreadsheets.export_xlsx(exporter.select_organisations())
    other = build_app(tmp_path / "other")
    path = tmp_path / "export.xlsx"
    path.write_bytes(data)
    with other.app_context():
        report = importer.import_file(path)
        assert report.written, report.errors
        after = exporter.export_json(exporter.select_organisations())
    assert after == before


def test_workbook_that_unpacks_too_large_is_refused(app, monkeypatch):
    monkeypatch.setattr(spreadsheets, "UNPACKED_MAX", 1000)
    with app.app_context(), pytest.raises(importer.FileRefused) as refused:
        records(xlsx_bytes(ROWS), "xlsx")
    assert "unpacks to more than" in refused.value.args[0]

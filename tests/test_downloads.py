"""Excel files out: workbooks re-read with openpyxl, CSV for Excel read back by the importer."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from cluster import fields
from cluster.services import downloads, exporter, importer, spreadsheets
from tests.factories import make_org, one_commit

HOSTILE = '=HYPERLINK("http://evil.example","x")'


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def sheet_rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def cluster(app):
    with app.app_context(), one_commit():
        make_org(
            "Smart Weave",
            kind="startup",
            stage="mvp",
            sectors=["fashiontech", "textile"],
            summary="Woven sensors",
            founded_year=2021,
            team_size=12,
            funding_sought=15_000_000,
            currency="RUB",
        )
        make_org("Formula Lab", kind="startup", summary=HOSTILE, tags=["-1", "@me", "ok"])
        make_org("Mill", kind="manufacturer", sectors=["textile"], city="Ivanovo")
        make_org("Hidden", kind="startup", status="draft")


def test_xlsx_export_has_a_frozen_bold_header_and_typed_cells(app, cluster):
    with app.app_context():
        orgs = exporter.select_organisations(["published"])
        sheet = workbook(spreadsheets.export_xlsx(orgs))
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header == list(fields.COLUMNS)
    assert all(cell.font.bold for cell in sheet[1])
    records = [dict(zip(header, row, strict=True)) for row in sheet_rows(sheet)[1:]]
    rows = {record["slug"]: record for record in records}
    weave = rows["smart-weave"]
    assert weave["founded_year"] == 2021 and isinstance(weave["founded_year"], int)
    assert weave["funding_sought"] == 15_000_000
    assert weave["team_size"] == 12
    assert weave["sectors"] == "fashiontech; textile"
    # Empty numbers stay empty cells, not zero.
    assert rows["mill"]["founded_year"] is None


def test_xlsx_export_keeps_formula_text_as_text(app, cluster):
    with app.app_context():
        orgs = exporter.select_organisations(["published"])
        sheet = workbook(spreadsheets.export_xlsx(orgs))
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("slug")].value == "formula-lab":
            summary = row[header.index("summary")]
            tags = row[header.index("tags")]
    # Shown as it was written, never run, and still text when someone edits the cell.
    assert summary.value == HOSTILE
    assert summary.data_type == "s"
    assert summary.number_format == "@"
    assert tags.value == "-1; @me; ok"
    assert tags.data_type == "s"


def test_xlsx_export_drops_characters_a_workbook_cannot_hold(app):
    with app.app_context():
        org = make_org("Bell", summary="ring\x07 ring")
        sheet = workbook(spreadsheets.export_xlsx([org], ["name", "summary"]))
    assert sheet_rows(sheet) == [["name", "summary"], ["Bell", "ring ring"]]


def test_csv_for_excel_has_a_bom_semicolons_and_reads_back(app, cluster):
    with app.app_context():
        orgs = exporter.select_organisations(["published"])
        text = exporter.export_excel_csv(orgs)
        assert text.startswith("\ufeff")
        header = text[1:].split("\r\n", 1)[0]
        assert header == ";".join(fields.COLUMNS)
        rows = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
        summaries = [row[fields.COLUMNS.index("summary")] for row in rows]
        assert "'" + HOSTILE in summaries
        # The importer reads the file back with its own values, quotes removed.
        read = importer.read_bytes(text.encode(), "csv")
        records = {record["slug"]: record for _number, record in read}
    assert records["formula-lab"]["summary"] == HOSTILE
    assert records["formula-lab"]["tags"] == "-1; @me; ok"
    assert records["smart-weave"]["founded_year"] == "2021"


def test_directory_download_lists_published_organisations_of_the_filter(client, cluster):
    response = client.get("/en/organisations/download.xlsx?kind=startup&page=4")
    assert response.status_code == 200
    assert response.mimetype == spreadsheets.XLSX_MEDIA_TYPE
    assert "attachment" in response.headers["Content-Disposition"]
    rows = sheet_rows(workbook(response.data))
    header = rows[0]
    assert header == [*fields.PUBLIC_COLUMNS, "profile"]
    assert "status" not in header
    names = [row[header.index("name")] for row in rows[1:]]
    assert sorted(names) == ["Formula Lab", "Smart Weave"]
    profiles = {row[header.index("name")]: row[-1] for row in rows[1:]}
    assert profiles["Smart Weave"] == "http://localhost/en/o/smart-weave"


def test_search_download_keeps_the_words_as_csv_for_excel(client, cluster):
    response = client.get("/ru/search/download.csv?q=woven")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:], newline=""), delimiter=";"))
    assert [row["name"] for row in rows] == ["Smart Weave"]
    assert rows[0]["profile"] == "http://localhost/ru/o/smart-weave"


def test_download_is_bounded_and_read_a_page_at_a_time(app, client, monkeypatch):
    monkeypatch.setattr(downloads, "DOWNLOAD_ROWS", 5)
    monkeypatch.setattr(downloads, "SEARCH_PAGE", 2)
    with app.app_context():
        for number in range(7):
            make_org(f"Org {number}")
    rows = sheet_rows(workbook(client.get("/en/organisations/download.xlsx").data))
    assert len(rows) == 1 + 5
    assert len({row[0] for row in rows[1:]}) == 5


def test_unknown_download_format_is_a_clear_404(client):
    response = client.get("/en/organisations/download.exe")
    assert response.status_code == 404
    assert "xlsx or csv" in response.get_data(as_text=True)


def test_list_pages_offer_their_downloads(client, cluster):
    html = client.get("/en/organisations?kind=startup&page=1").get_data(as_text=True)
    assert 'href="/en/organisations/download.xlsx?kind=startup"' in html
    assert 'href="/en/organisations/download.csv?kind=startup"' in html
    found = client.get("/en/search?q=woven").get_data(as_text=True)
    assert 'href="/en/search/download.xlsx?q=woven"' in found


def test_staff_export_as_xlsx_follows_the_filters_and_reads_back(app, client, staff, cluster):
    staff.login()
    response = client.get("/en/staff/export?format=xlsx&status=draft")
    assert response.status_code == 200
    assert response.mimetype == spreadsheets.XLSX_MEDIA_TYPE
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = workbook(response.data)
    assert sheet.freeze_panes == "A2"
    assert sheet.title == "Organisations"
    rows = sheet_rows(sheet)
    assert rows[0] == list(fields.COLUMNS)
    assert [row[fields.COLUMNS.index("slug")] for row in rows[1:]] == ["hidden"]
    everything = sheet_rows(workbook(client.get("/en/staff/export?format=xlsx").data))
    assert len(everything) == 1 + 4


def test_staff_export_as_csv_for_excel(client, staff, cluster):
    staff.login()
    response = client.get("/en/staff/export?format=excel")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].endswith('.csv"')
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff" + ";".join(fields.COLUMNS[:3]))
    assert client.get("/en/staff/export?format=ods").status_code == 400


def test_staff_list_offers_every_export(client, staff, cluster):
    staff.login()
    html = client.get("/en/staff/organisations?status=draft").get_data(as_text=True)
    assert "/en/staff/export?format=xlsx&amp;status=draft" in html
    assert "/en/staff/export?format=excel&amp;status=draft" in html


def test_downloads_are_limited_per_address(app, client, cluster):
    app.config["DOWNLOAD_RATE_LIMIT"] = "2 per minute"
    assert client.get("/en/organisations/download.csv").status_code == 200
    assert client.get("/en/search/download.xlsx?q=woven").status_code == 200
    refused = client.get("/en/organisations/download.xlsx")
    assert refused.status_code == 429
    assert "Too many" in refused.get_data(as_text=True)
    # The investor view's lists are counted with them.
    assert client.get("/en/startups.csv").status_code == 429
    assert client.get("/en/startups.xlsx").status_code == 429
    # Pages and feeds are not counted with the files.
    assert client.get("/en/organisations").status_code == 200


def test_command_line_exports_a_workbook_and_csv_for_excel(app, runner, tmp_path, cluster):
    out = tmp_path / "out.xlsx"
    result = runner.invoke(args=["export", "--format", "xlsx", "--status", "draft", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = sheet_rows(workbook(out.read_bytes()))
    assert rows[0] == list(fields.COLUMNS)
    assert [row[fields.COLUMNS.index("slug")] for row in rows[1:]] == ["hidden"]
    result = runner.invoke(args=["export", "--format", "excel"])
    assert result.output.startswith("\ufeff" + ";".join(fields.COLUMNS[:3]))


def test_odd_download_arguments_never_fail(app, client, cluster):
    app.config["DOWNLOAD_RATE_LIMIT"] = "100 per minute"
    for path in (
        "/en/search/download.xlsx?q=" + "(" * 300,
        "/en/organisations/download.csv?sector=%00&kind=" + "x" * 500,
        "/en/organisations/download.xlsx?per_page=-4&page=99999999&sort=%F0",
        "/ru/search/download.csv?q=%22%22%22&stage=mvp&stage=mvp",
    ):
        assert client.get(path).status_code == 200, path
    assert client.get("/sitemap-organisations-99999999999999999999.xml").status_code == 404


def test_investor_view_downloads_as_a_workbook_with_amounts_as_numbers(app, client):
    with app.app_context():
        make_org("Seed Loom", kind="startup", stage="mvp", sectors=["fashiontech"],
                 funding_sought=2_500_000, currency="RUB", city="=Moscow")  # fmt: skip
        make_org("No Amount", kind="startup", stage="idea", sectors=["fashiontech"])
    page = client.get("/en/startups?sector=fashiontech").get_data(as_text=True)
    assert 'href="/en/startups.xlsx?sector=fashiontech"' in page
    response = client.get("/en/startups.xlsx?sector=fashiontech&sort=amount")
    assert response.status_code == 200
    assert response.mimetype == spreadsheets.XLSX_MEDIA_TYPE
    sheet = workbook(response.data)
    assert sheet.title == "Startups" and sheet.freeze_panes == "A2"
    rows = sheet_rows(sheet)
    header = rows[0]
    records = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    loom = records["Seed Loom"]
    assert loom["Funding sought"] == 2_500_000
    assert loom["Funding sought in RUB"] == 2_500_000
    assert loom["City"] == "=Moscow"
    assert loom["Stage"] == "MVP"
    assert records["No Amount"]["Funding sought"] is None
    # Text that looks like a formula stays text in the workbook.
    city = next(sheet.iter_rows(min_row=2, max_row=2))[header.index("City")]
    assert city.data_type == "s"
    assert client.get("/en/startups.xlsx?from=lots").status_code == 400


def test_investor_view_workbook_is_bounded(app, client, monkeypatch):
    monkeypatch.setattr(downloads, "DOWNLOAD_ROWS", 2)
    with app.app_context():
        for number in range(4):
            make_org(f"Seed {number}", kind="startup", funding_sought=1000 * (number + 1))
    rows = sheet_rows(workbook(client.get("/en/startups.xlsx?sort=amount").data))
    assert [row[0] for row in rows[1:]] == ["Seed 3", "Seed 2"]

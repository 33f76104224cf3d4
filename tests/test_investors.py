"""Investors in the directory: their focus both ways, and the investor view of startups."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from cluster.extensions import db
from cluster.models import Organisation, utcnow
from cluster.services import exporter, importer, investors, rates
from tests.factories import find_org, make_org, make_startup, one_commit
from tests.helpers import build_app

RATES = rates.current()


@pytest.fixture
def app(tmp_path):
    # Every request checks the fingerprint, as another process's change must show at once here.
    return build_app(tmp_path, FUNDING_CHECK_SECONDS=0, PER_PAGE=3)


def names(html: str, block: str = "") -> list[str]:
    """The names of the organisations linked in a page's cards or in one block of it."""
    if block:
        start = html.index(block)
        html = html[start : html.index("</section>", start)]
        return re.findall(r'<a href="/en/o/[^"]+"[^>]*>([^<]+)</a>', html)
    return re.findall(r'org-card-name"><a href="[^"]+"[^>]*>([^<]+)', html)


@pytest.fixture
def portfolio(app):
    """A fund for fashiontech at MVP or revenue with 1-20 million roubles, and startups."""
    with app.app_context(), one_commit():
        make_org(
            "Spindle Fund",
            kind="investor",
            investor_type="venture_fund",
            sectors=["fashiontech"],
            focus_stages=["mvp", "revenue"],
            ticket_min=1_000_000,
            ticket_max=20_000_000,
            ticket_currency="RUB",
            instruments=["equity"],
        )
        make_org("Open Grant", kind="investor", investor_type="state", ticket_max=3_000_000)
        make_startup("Fits Roubles", sectors=["fashiontech"], stage="mvp",
                     funding_sought=15_000_000, currency="RUB")  # fmt: skip
        make_startup("Too Big In Dollars", sectors=["fashiontech"], stage="mvp",
                     funding_sought=500_000, currency="USD")  # fmt: skip
        make_startup("Other Sector", sectors=["textile"], stage="mvp",
                     funding_sought=5_000_000, currency="RUB")  # fmt: skip
        make_startup("Too Early", sectors=["fashiontech"], stage="idea",
                     funding_sought=2_000_000, currency="RUB")  # fmt: skip
        make_startup("No Amount Yet", sectors=["fashiontech", "retail"], stage="revenue")
        make_startup("Fits In Euros", sectors=["fashiontech"], stage="revenue",
                     funding_sought=100_000, currency="EUR")  # fmt: skip
        make_startup("Unpublished", sectors=["fashiontech"], stage="mvp",
                     funding_sought=5_000_000, currency="RUB", status="draft")  # fmt: skip


def test_an_investor_lists_the_startups_in_its_focus(client, portfolio):
    html = client.get("/en/o/spindle-fund").get_data(as_text=True)
    assert sorted(names(html, 'id="focus-title"')) == [
        "Fits In Euros",
        "Fits Roubles",
        "No Amount Yet",
    ]
    assert "Venture fund" in html and "MVP, Revenue" in html and "Equity" in html
    assert "RUB\xa01,000,000 to RUB\xa020,000,000" in html
    assert "3 startups in all." in html
    # The investor view lists the focus with its ticket as a range, which only amounts fit.
    link = re.search(r'href="(/en/startups\?[^"]+)">Compare those', html).group(1)
    listed = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert sorted(names(listed)) == ["Fits In Euros", "Fits Roubles"]


def test_a_startup_lists_the_investors_whose_focus_fits_it(client, portfolio):
    html = client.get("/en/o/fits-roubles").get_data(as_text=True)
    # The grant names no sector and no stage: 15 million is above its ticket, though.
    assert names(html, 'id="focus-title"') == ["Spindle Fund"]
    too_early = client.get("/en/o/too-early").get_data(as_text=True)
    assert names(too_early, 'id="focus-title"') == ["Open Grant"]
    too_big = client.get("/en/o/too-big-in-dollars").get_data(as_text=True)
    assert 'id="focus-title"' not in too_big


def focus_names(app, slug: str) -> list[str]:
    with app.app_context():
        return sorted(org.name for org in investors.focus_of(find_org(slug)).items)


def test_a_change_shows_at_once_also_when_made_around_the_session(app, client, portfolio):
    assert "Too Early" not in focus_names(app, "spindle-fund")
    with app.app_context():
        # As another process or a bulk path would: no ORM object, no session hook.
        db.session.execute(
            sa.update(Organisation)
            .where(Organisation.slug == "spindle-fund")
            .values(focus_stages=[], ticket_min=None, updated_at=utcnow())
        )
        db.session.commit()
    assert "Too Early" in focus_names(app, "spindle-fund")
    with app.app_context():
        org = find_org("too-early")
        org.status = "archived"
        db.session.commit()
    assert "Too Early" not in focus_names(app, "spindle-fund")
    html = client.get("/en/o/spindle-fund").get_data(as_text=True)
    assert "Too Early" not in names(html, 'id="focus-title"')


def test_the_view_filters_by_sector_stage_and_a_range_in_roubles(client, portfolio):
    page = client.get(
        "/en/startups?sector=fashiontech&stage=mvp&stage=revenue&from=1000000&to=20000000"
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # 100,000 EUR is about 10 million roubles; the startup without an amount has no place in
    # a range.
    assert names(html) == ["Fits Roubles", "Fits In Euros"]
    assert "2 startups" in html
    euros = round(100_000 * RATES.per_unit["EUR"])
    assert f"RUB\xa0{euros:,}" in html and "as given: €100,000" in html
    assert RATES.of.strftime("%-d %B %Y") in html


def test_the_view_sorts_by_amount_newest_and_stage(client, portfolio):
    def listed(sort: str) -> list[str]:
        found = []
        for number in (1, 2):
            html = client.get(f"/en/startups?sort={sort}&page={number}").get_data(as_text=True)
            found += names(html)
        return found

    largest = listed("amount")
    assert largest == [
        "Too Big In Dollars", "Fits Roubles", "Fits In Euros", "Other Sector", "Too Early",
        "No Amount Yet",
    ]  # fmt: skip
    assert listed("amount_asc") == [*reversed(largest[:-1]), "No Amount Yet"]
    assert listed("newest") == [
        "Fits In Euros", "No Amount Yet", "Too Early", "Other Sector", "Too Big In Dollars",
        "Fits Roubles",
    ]  # fmt: skip
    by_stage = listed("stage")
    assert by_stage[0] == "Too Early" and by_stage[-2:] == ["Fits In Euros", "No Amount Yet"]


@pytest.mark.parametrize("value", ["abc", "-5", "1e9", "9" * 30, "1,5"])
def test_a_range_that_is_not_a_whole_number_is_a_clear_400(client, portfolio, value):
    page = client.get("/en/startups", query_string={"from": value})
    assert page.status_code == 400
    assert "These values were left out of the filters:" in page.get_data(as_text=True)
    assert "From: " in page.get_data(as_text=True)
    assert client.get("/en/startups.csv", query_string={"to": value}).status_code == 400


def test_the_list_downloads_whole_as_csv_that_no_spreadsheet_runs(app, client, portfolio):
    with app.app_context():
        make_startup("=HYPERLINK(\"https://evil.example\")", slug="formula", sectors=["retail"],
                     stage="mvp", funding_sought=1_000, currency="RUB", city="@Moscow")  # fmt: skip
    response = client.get("/en/startups.csv?sort=amount_asc")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    # Every page of the list, in its order (three on a page here).
    assert [row["Name"] for row in rows][:3] == [
        "'=HYPERLINK(\"https://evil.example\")", "Too Early", "Other Sector",
    ]  # fmt: skip
    assert len(rows) == 7
    formula = rows[0]
    assert formula["City"] == "'@Moscow"
    assert exporter.restore(formula["Name"]) == '=HYPERLINK("https://evil.example")'
    euros = next(row for row in rows if row["Name"] == "Fits In Euros")
    assert euros["Funding sought"] == "100000" and euros["Currency"] == "EUR"
    assert euros["Funding sought in RUB"] == str(round(100_000 * RATES.per_unit["EUR"]))
    assert euros["Rates of"] == RATES.of.isoformat()
    assert euros["Stage"] == "Revenue" and euros["Sectors"] == "Fashiontech"
    assert euros["Profile"].endswith("/en/o/fits-in-euros")
    no_amount = next(row for row in rows if row["Name"] == "No Amount Yet")
    assert no_amount["Funding sought"] == "" and no_amount["Funding sought in RUB"] == ""
    filtered = client.get("/en/startups.csv?sector=textile").get_data(as_text=True)
    assert [row["Name"] for row in csv.DictReader(io.StringIO(filtered))] == ["Other Sector"]


def test_the_list_downloads_as_csv_for_excel_too(app, client, portfolio):
    # A BOM and ";" between cells, as a Russian Excel reads a CSV it opens.
    page = client.get("/ru/startups?sector=textile").get_data(as_text=True)
    assert "/ru/startups.csv?sector=textile&amp;format=excel" in page
    body = client.get("/ru/startups.csv?sector=textile&format=excel").get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    plain = list(csv.reader(io.StringIO(client.get("/ru/startups.csv?sector=textile").text)))
    assert rows == plain and [row[0] for row in rows[1:]] == ["Other Sector"]


def test_investor_columns_import_by_label_and_export_as_read(app, tmp_path):
    text = (
        "name,kind,sectors,investor_type,focus_stages,ticket_min,ticket_max,ticket_currency,"
        "instruments\n"
        'Heron Angels,investor,Fashiontech,Business angel,"MVP; revenue",500 000,3000000,usd,'
        '"Equity; Convertible loan"\n'
    )
    source = tmp_path / "investors.csv"
    source.write_text(text, encoding="utf-8")
    with app.app_context():
        report = importer.import_file(source)
        assert report.errors == []
        org = find_org("heron-angels")
        assert (org.investor_type, org.focus_stages) == ("business_angel", ["mvp", "revenue"])
        assert (org.ticket_min, org.ticket_max, org.ticket_currency) == (500_000, 3_000_000, "USD")
        assert org.instruments == ["equity", "convertible_loan"]
        exported = next(csv.DictReader(io.StringIO(exporter.export_csv([org]))))
        assert exported["focus_stages"] == "mvp; revenue"
        assert exported["instruments"] == "equity; convertible_loan"
        bad = tmp_path / "bad.csv"
        bad.write_text("name,kind,investor_type\nX,investor,hedge fund\n", encoding="utf-8")
        assert "unknown investor type 'hedge fund'" in importer.import_file(bad).errors[0]


def test_the_api_gives_an_investors_terms_with_labels(client, portfolio):
    data = client.get("/api/v1/organisations/spindle-fund").get_json()
    assert data["investment"] == {
        "type": {"value": "venture_fund", "label": "Venture fund"},
        "stages": [{"value": "mvp", "label": "MVP"}, {"value": "revenue", "label": "Revenue"}],
        "ticket": {"min": 1_000_000, "max": 20_000_000, "currency": "RUB"},
        "instruments": [{"value": "equity", "label": "Equity"}],
    }
    assert client.get("/api/v1/organisations/fits-roubles").get_json()["investment"] is None


def test_staff_create_an_investor_with_its_terms_on_the_form(app, client, staff):
    staff.login()
    page = client.get("/en/staff/organisations/new").get_data(as_text=True)
    assert 'data-kind="investor"' in page and 'name="ticket_min"' in page
    response = staff.post(
        "/en/staff/organisations/new",
        {
            "name": "Loom Capital",
            "kind": "investor",
            "residency": "partner",
            "status": "published",
            "sectors": ["fashiontech"],
            "investor_type": "venture_fund",
            "focus_stages": ["prototype", "mvp"],
            "ticket_min": "2 000 000",
            "ticket_max": "10000000",
            "ticket_currency": "rub",
            "instruments": ["equity", "grant"],
            "email": "deals@loomcapital.example",
        },
    )
    assert response.status_code == 302
    org = find_org("loom-capital", app=app)
    assert (org.investor_type, org.focus_stages, org.instruments) == (
        "venture_fund", ["prototype", "mvp"], ["equity", "grant"],
    )  # fmt: skip
    assert (org.ticket_min, org.ticket_max, org.ticket_currency) == (2_000_000, 10_000_000, "RUB")
    refused = staff.post(
        "/en/staff/organisations/new",
        {
            "name": "Odd Fund",
            "kind": "investor",
            "ticket_min": "lots",
            "ticket_currency": "roubles",
        },
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Expected a whole number" in text or "expected a whole number" in text
    assert find_org("odd-fund", app=app) is None


def test_a_change_another_process_commits_is_seen(app, tmp_path, portfolio):
    assert "Too Early" not in focus_names(app, "spindle-fund")
    # A second app on the same database and index stands for another worker.
    other = build_app(tmp_path, FUNDING_CHECK_SECONDS=0)
    with other.app_context():
        org = find_org("too-early")
        org.stage = "mvp"
        db.session.commit()
    assert "Too Early" in focus_names(app, "spindle-fund")


def test_the_amount_range_reads_from_and_to_in_russian(client):
    # "To" of an amount, not the recipient of a mail ("Кому"): a message with its own context.
    html = client.get("/ru/startups").get_data(as_text=True)
    assert '<label for="amount-from">От</label>' in html
    assert '<label for="amount-to">До</label>' in html

"""The "cluster in numbers" page: charts and tables with the search engine's own counts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime

import pytest

from cluster import charts
from cluster.services import numbers
from tests.factories import make_org, one_commit

TABLE_ROW = re.compile(
    r'<tr data-key="([^"]+)"><th scope="row">.*?</th>((?:<td class="number" data-value="\d+">'
    r"[^<]*</td>)+)</tr>"
)
VALUE = re.compile(r'data-value="(\d+)"')


def tables(html: str) -> dict[str, dict[str, list[int]]]:
    """Each table's rows on the page: table id -> row key -> its numbers."""
    found = {}
    for match in re.finditer(r'<table class="table numbers-table" id="([a-z]+)-table">', html):
        body = html[match.end() : html.index("</table>", match.end())]
        found[match.group(1)] = {
            key: [int(value) for value in VALUE.findall(cells)]
            for key, cells in TABLE_ROW.findall(body)
        }
    return found


@one_commit()
def add_cluster():
    make_org("Loom", kind="startup", stage="mvp", sectors=["textile"])
    make_org("Knit", kind="startup", stage="mvp", sectors=["textile", "fashiontech"])
    make_org("Seed", kind="startup", stage="idea", sectors=["fashiontech"])
    make_org("Mill", kind="manufacturer", sectors=["textile"])
    make_org("School", kind="education")
    make_org("Draft", kind="startup", stage="idea", status="draft", sectors=["textile"])
    make_org("Gone", kind="manufacturer", status="archived", sectors=["textile"])


def check_page_matches_facets(app):
    client = app.test_client()
    html = client.get("/en/numbers").get_data(as_text=True)
    with app.test_request_context("/en/numbers"):
        total, facets = numbers.published_facets()
    found = tables(html)
    assert f"{total} organisations are published" in html
    for name in ("kind", "sector", "stage"):
        assert {key: values[0] for key, values in found[name].items()} == facets[name]
    return found


def test_numbers_page_shows_the_facet_counts_of_published_organisations(app):
    with app.app_context():
        add_cluster()
    found = check_page_matches_facets(app)
    assert found["kind"] == {"startup": [3], "manufacturer": [1], "education": [1]}
    assert found["sector"] == {"textile": [3], "fashiontech": [2]}
    # Stages in their own order, not by size.
    assert list(found["stage"]) == ["idea", "mvp"]


@pytest.mark.postgres
def test_numbers_page_counts_alike_on_postgresql(tmp_path):
    from tests.search.pg import postgres_app

    with postgres_app(tmp_path) as app:
        with app.app_context():
            add_cluster()
            make_org("Old", published_at=datetime(2024, 11, 3))
        found = check_page_matches_facets(app)
        assert found["growth"]["2024-11-01"] == [1, 1]


def test_growth_counts_each_month_of_publication_with_running_totals(app, client):
    with app.app_context():
        make_org("March", published_at=datetime(2025, 3, 5))
        make_org("March too", published_at=datetime(2025, 3, 30))
        make_org("May", published_at=datetime(2025, 5, 1))
        make_org("Never shown", status="draft", published_at=datetime(2025, 4, 1))
    growth = tables(client.get("/en/numbers").get_data(as_text=True))["growth"]
    assert growth == {
        "2025-03-01": [2, 2],
        "2025-04-01": [0, 2],
        "2025-05-01": [1, 3],
    }


def test_growth_reads_creation_for_listings_without_a_publication_date(app):
    with app.app_context():
        make_org("Imported", created_at=datetime(2024, 2, 10), published_at=None)
        assert numbers.publications_by_month() == [(date(2024, 2, 1), 1)]


def test_month_series_counts_months_before_the_window_as_earlier():
    counts = [(date(2020, 1, 1), 4), (date(2024, 12, 1), 1), (date(2025, 2, 1), 2)]
    months, earlier = numbers.month_series(counts, shown=3)
    assert earlier == 4
    assert [(m.start, m.published, m.total) for m in months] == [
        (date(2024, 12, 1), 1, 5),
        (date(2025, 1, 1), 0, 5),
        (date(2025, 2, 1), 2, 7),
    ]
    assert numbers.month_series([]) == ([], 0)
    assert numbers.add_months(date(2025, 1, 1), -1) == date(2024, 12, 1)


def test_figures_are_kept_for_the_configured_time(app):
    app.config["NUMBERS_CACHE_SECONDS"] = 3600
    client = app.test_client()
    with app.app_context():
        make_org("First")
    assert "1 organisation is published" in client.get("/en/numbers").get_data(as_text=True)
    with app.app_context():
        make_org("Second")
    assert "1 organisation is published" in client.get("/en/numbers").get_data(as_text=True)
    app.config["NUMBERS_CACHE_SECONDS"] = 0
    assert "2 organisations are published" in client.get("/en/numbers").get_data(as_text=True)


def test_empty_directory_says_there_is_nothing_to_count(client):
    response = client.get("/en/numbers")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="chart' not in html
    assert html.count("Nothing to count yet.") == 4


def test_charts_are_well_formed_svg_with_a_title_and_a_link_per_bar(app, client):
    with app.app_context():
        add_cluster()
    html = client.get("/en/numbers").get_data(as_text=True)
    svgs = re.findall(r'<svg class="chart.*?</svg>', html, flags=re.S)
    assert len(svgs) == 4
    for markup in svgs:
        svg = ET.fromstring(markup)
        assert svg.get("role") == "img"
        assert svg.find("title") is not None and svg.find("title").text
    kinds = ET.fromstring(svgs[0])
    # Out of the tab order: the table beside it has the same links for keyboards and readers.
    assert {link.get("tabindex") for link in kinds.findall("a")} == {"-1"}
    assert [link.get("href") for link in kinds.findall("a")] == [
        "/en/organisations?kind=startup",
        "/en/organisations?kind=education",
        "/en/organisations?kind=manufacturer",
    ]


def test_bar_lengths_follow_their_values():
    chart = charts.bar_chart([charts.Item("a", "A", 10), charts.Item("b", "B", 5)])
    room = charts.BAR_WIDTH - charts.BAR_LABEL_WIDTH - charts.BAR_NUMBER_ROOM
    assert [bar.length for bar in chart.bars] == [room, room / 2]
    assert charts.bar_chart([charts.Item("z", "Z", 0)]).bars[0].length == 0


def test_column_scale_ends_at_a_round_number():
    assert [charts.nice_ceiling(n) for n in (0, 1, 3, 10, 11, 42, 51, 999)] == [
        1,
        1,
        5,
        10,
        20,
        50,
        100,
        1000,
    ]
    chart = charts.column_chart([charts.Item(str(n), str(n), n) for n in (0, 21, 42)])
    assert [tick.value for tick in chart.ticks] == [0, 25, 50]
    assert chart.columns[0].height == 0
    assert chart.columns[2].y == pytest.approx(chart.bottom - 42 / 50 * (chart.bottom - 12))


def test_figures_are_counted_again_only_when_the_index_changes(app, monkeypatch):
    app.config["NUMBERS_CACHE_SECONDS"] = 0
    counted = []
    original = numbers.compute
    monkeypatch.setattr(numbers, "compute", lambda: counted.append(1) or original())
    client = app.test_client()
    with app.app_context():
        make_org("First")
    for _ in range(3):
        client.get("/en/numbers")
    assert len(counted) == 1
    with app.app_context():
        make_org("Second")
    assert "2 organisations are published" in client.get("/en/numbers").get_data(as_text=True)
    assert len(counted) == 2

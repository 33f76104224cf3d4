"""Browsing through the search engine, on both engines: the directory's counts follow the other
filters as on the search page, its stage, offers and needs filters, the home page's numbers."""

from __future__ import annotations

import re

import pytest

from cluster.extensions import db
from cluster.models import Organisation
from tests.factories import make_org, one_commit
from tests.helpers import build_app


@pytest.fixture(params=["whoosh", "postgres"])
def engine_app(request, tmp_path):
    """A fresh app searched by the engine named by the parameter."""
    if request.param == "postgres":
        from tests.search.pg import postgres_app

        with postgres_app(tmp_path) as app:
            yield app
        return
    app = build_app(tmp_path, SEARCH_BACKEND="whoosh")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def browsed(engine_app):
    """Startups and manufacturers across sectors, stages and needs; one hidden draft."""
    with engine_app.app_context(), one_commit():
        make_org(
            "Atelier Nova",
            kind="manufacturer",
            city="Kazan",
            sectors=["textile"],
            offers=["small-batch-sewing"],
        )
        make_org("Bolt Works", kind="manufacturer", city="Moscow", sectors=["digital-printing"])
        make_org(
            "Cotton Lab",
            kind="startup",
            stage="mvp",
            looking_for=["investment", "manufacturing"],
            needs_capabilities=["small-batch-sewing"],
            sectors=["fashiontech", "textile"],
        )
        make_org(
            "Dress Code",
            kind="startup",
            stage="idea",
            looking_for=["mentoring"],
            sectors=["fashiontech"],
        )
        make_org("Hidden Draft", kind="startup", status="draft", sectors=["fashiontech"])
    return engine_app.test_client()


def names_on(html: str) -> list[str]:
    """Organisation names shown as cards, in page order."""
    return re.findall(r'class="org-card-name"><a href="/en/o/[^"]+"[^>]*>([^<]+)</a>', html)


def option_counts(html: str, group: str) -> dict[str, int]:
    """A sidebar group's checkbox values with the counts beside them."""
    found = re.findall(
        rf'name="{group}" value="([^"]+)"[^>]*>\s*<label[^>]*><span[^>]*>[^<]*</span> '
        r'<span class="count">(\d+)</span>',
        html,
    )
    return {value: int(count) for value, count in found}


def test_directory_counts_follow_the_other_filters(browsed):
    html = browsed.get("/en/organisations?kind=manufacturer&sector=fashiontech").get_data(
        as_text=True
    )
    assert "No organisations found" in html
    # No manufacturer is in fashiontech: the chosen sector is kept, counting 0.
    assert option_counts(html, "sector") == {
        "textile": 1,
        "digital-printing": 1,
        "fashiontech": 0,
    }
    # Kinds count under the sector chosen: only startups are in fashiontech.
    assert option_counts(html, "kind") == {"startup": 2, "manufacturer": 0}


def test_directory_counts_are_the_search_pages_counts(browsed):
    directory = browsed.get("/en/organisations?sector=textile").get_data(as_text=True)
    searched = browsed.get("/en/search?sector=textile").get_data(as_text=True)
    for group in ("kind", "sector", "stage", "offers", "needs", "city"):
        assert option_counts(directory, group) == option_counts(searched, group), group
    assert option_counts(directory, "kind") == {"manufacturer": 1, "startup": 1}


def test_directory_filters_by_stage_offers_needs_and_what_is_looked_for(browsed):
    html = browsed.get("/en/organisations?stage=mvp").get_data(as_text=True)
    assert names_on(html) == ["Cotton Lab"]
    assert option_counts(html, "stage") == {"idea": 1, "mvp": 1}
    html = browsed.get("/en/organisations?offers=small-batch-sewing").get_data(as_text=True)
    assert names_on(html) == ["Atelier Nova"]
    assert option_counts(html, "needs") == {}
    html = browsed.get("/en/organisations?needs=small-batch-sewing").get_data(as_text=True)
    assert names_on(html) == ["Cotton Lab"]
    assert option_counts(html, "needs") == {"small-batch-sewing": 1}
    # "Looking for" is a filter of addresses only, kept for links made before.
    html = browsed.get("/en/organisations?looking_for=mentoring&looking_for=investment").get_data(
        as_text=True
    )
    assert names_on(html) == ["Cotton Lab", "Dress Code"]
    # An unknown stage is dropped rather than matching nothing.
    assert len(names_on(browsed.get("/en/organisations?stage=moon").get_data(as_text=True))) == 4


def test_home_and_sector_pages_count_published_organisations(browsed):
    home = browsed.get("/en/").get_data(as_text=True)
    assert "Browse all 4 organisations" in home
    assert re.search(r'kind-startup"[^>]*>\s*<span class="stat-number">2<', home)
    fashiontech = re.search(r'href="/en/sectors/fashiontech">[^<]*<span class="count">(\d+)', home)
    assert fashiontech and fashiontech.group(1) == "2"
    sector = browsed.get("/en/sectors/fashiontech").get_data(as_text=True)
    assert names_on(sector) == ["Cotton Lab", "Dress Code"]


def test_a_profile_reads_its_organisation_and_sectors_by_index_and_nothing_lazily(
    engine_app, browsed
):
    import sqlalchemy as sa

    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, *args):
        statements.append((statement, parameters))

    engine_app.config["PAGE_CACHE_ENTRIES"] = 0
    with engine_app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        page = browsed.get("/en/o/atelier-nova").get_data(as_text=True)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert "Atelier Nova" in page and "Textile" in page
    flat = [" ".join(statement.split()) for statement, _ in statements]
    own = [n for n, s in enumerate(flat) if "WHERE organisations.slug =" in s]
    assert len(own) == 1
    # Nothing of it is loaded lazily later (other organisations shown beside it come in
    # statements of their own).
    assert [s for s in flat if "= organisation_sectors.organisation_id" in s] == []
    if engine.dialect.name == "postgresql":
        # Its sectors come with it, a round trip less.
        assert "JOIN (organisation_sectors AS" in flat[own[0]]
        return
    # SQLite: its sectors by their index in a statement of their own. Joined, they were read
    # by a scan of the whole association table (75 ms of a profile at 100,000).
    with engine_app.app_context():
        org_id = db.session.scalar(
            sa.select(Organisation.id).where(Organisation.slug == "atelier-nova")
        )
    read = [statements[own[0]]] + [
        statements[n]
        for n, s in enumerate(flat)
        if "organisation_sectors.organisation_id IN" in s and org_id in statements[n][1]
    ]
    assert len(read) == 2
    with engine.connect() as conn:
        plans = [
            detail
            for statement, parameters in read
            for *_, detail in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        ]
    assert any("organisations USING INDEX" in detail for detail in plans), plans
    scans = [d for d in plans if d.startswith("SCAN") and "organisation" in d]
    assert scans == [], plans

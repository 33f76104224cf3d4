"""Atom feeds of newly published organisations, read back by a real feed parser."""

from __future__ import annotations

import calendar
from datetime import datetime

import feedparser
import pytest
import sqlalchemy as sa

from cluster.extensions import db
from cluster.models import Organisation
from cluster.services import feeds
from tests.factories import make_org, one_commit


def read_feed(client, path: str):
    """The feed at path, parsed; it must be well-formed Atom 1.0."""
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def titles(parsed) -> list[str]:
    return [entry.title for entry in parsed.entries]


@one_commit()
def add_cluster():
    make_org(
        "Smart Weave",
        kind="startup",
        stage="mvp",
        sectors=["fashiontech"],
        summary="Woven sensors for sportswear",
        published_at=datetime(2025, 5, 1, 9, 30),
    )
    make_org(
        "Pattern Lab",
        kind="startup",
        stage="idea",
        sectors=["fashiontech"],
        published_at=datetime(2025, 6, 1),
    )
    make_org("Old Mill", kind="manufacturer", published_at=datetime(2024, 1, 1))
    make_org(
        "Fresh Mill",
        kind="manufacturer",
        sectors=["textile"],
        summary="Woven cloth by the metre",
        published_at=datetime(2025, 7, 1),
    )
    make_org("Secret", kind="startup", stage="mvp", status="draft", sectors=["fashiontech"])
    make_org("Gone", kind="startup", stage="mvp", status="archived", sectors=["fashiontech"])


@pytest.fixture
def cluster(app):
    with app.app_context():
        add_cluster()


def test_newly_published_feed_lists_published_organisations_newest_first(client, cluster):
    parsed = read_feed(client, "/en/organisations/feed")
    assert titles(parsed) == ["Fresh Mill", "Pattern Lab", "Smart Weave", "Old Mill"]
    assert parsed.feed.title.startswith("Newly published organisations")
    assert parsed.feed.id == "http://localhost/en/organisations/feed"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links == {
        "self": "http://localhost/en/organisations/feed",
        "alternate": "http://localhost/en/organisations",
    }
    first = parsed.entries[0]
    assert first.link == "http://localhost/en/o/fresh-mill"
    assert first.summary == "Woven cloth by the metre"
    assert {tag.term for tag in first.tags} == {"manufacturer", "textile"}
    assert calendar.timegm(first.published_parsed) == calendar.timegm((2025, 7, 1, 0, 0, 0))


def test_filtered_feed_lists_what_the_filtered_page_lists(client, cluster):
    parsed = read_feed(client, "/en/organisations/feed?sector=fashiontech&kind=startup&stage=mvp")
    assert titles(parsed) == ["Smart Weave"]
    assert parsed.feed.title.startswith("Newly published: Startup · Fashiontech · MVP")
    # One list, one address, whatever the order of its arguments.
    assert parsed.feed.id == (
        "http://localhost/en/organisations/feed?kind=startup&sector=fashiontech&stage=mvp"
    )


def test_page_address_with_format_atom_gives_the_same_feed(client, cluster):
    by_suffix = client.get("/en/organisations/feed?kind=startup").data
    by_format = client.get("/en/organisations?kind=startup&format=atom&page=3&sort=name").data
    assert by_format == by_suffix
    assert titles(feedparser.parse(by_format)) == ["Pattern Lab", "Smart Weave"]


def test_search_feed_keeps_the_words_and_filters(client, cluster):
    parsed = read_feed(client, "/en/search/feed?q=woven")
    assert titles(parsed) == ["Fresh Mill", "Smart Weave"]
    assert "“woven”" in parsed.feed.title
    narrowed = read_feed(client, "/en/search?q=woven&kind=startup&format=atom")
    assert titles(narrowed) == ["Smart Weave"]


def test_sector_feed(client, cluster):
    assert titles(read_feed(client, "/en/sectors/fashiontech/feed")) == [
        "Pattern Lab",
        "Smart Weave",
    ]
    assert titles(read_feed(client, "/en/sectors/fashiontech?format=atom")) == [
        "Pattern Lab",
        "Smart Weave",
    ]
    assert client.get("/en/sectors/no-such-sector/feed").status_code == 404


def test_feed_texts_follow_the_address_language(client, cluster):
    response = client.get("/ru/organisations/feed")
    assert b'xml:lang="ru"' in response.data
    parsed = feedparser.parse(response.data)
    assert parsed.entries[0].link == "http://localhost/ru/o/fresh-mill"


def test_entry_ids_stay_when_a_profile_changes_and_updated_is_its_change(app, client, cluster):
    before = {e.title: e for e in read_feed(client, "/en/organisations/feed").entries}
    with app.app_context():
        org = db.session.scalar(sa.select(Organisation).filter_by(slug="smart-weave"))
        org.slug = "smart-weave-studio"
        org.summary = "Woven sensors, now for medicine too"
        db.session.commit()
        changed = org.updated_at
    after = {e.title: e for e in read_feed(client, "/en/organisations/feed").entries}
    assert after["Smart Weave"].id == before["Smart Weave"].id
    assert after["Smart Weave"].link == "http://localhost/en/o/smart-weave-studio"
    assert calendar.timegm(after["Smart Weave"].updated_parsed) == calendar.timegm(
        changed.replace(microsecond=0).timetuple()
    )
    # The feed changed when its newest entry did.
    parsed = read_feed(client, "/en/organisations/feed")
    assert parsed.feed.updated == after["Smart Weave"].updated
    assert len({entry.id for entry in parsed.entries}) == 4


def test_feed_is_bounded(app, client, monkeypatch):
    monkeypatch.setattr(feeds, "FEED_ENTRIES", 3)
    with app.app_context():
        for number in range(5):
            make_org(f"Org {number}", published_at=datetime(2025, 1, number + 1))
    assert titles(read_feed(client, "/en/organisations/feed")) == ["Org 4", "Org 3", "Org 2"]


def test_empty_feed_is_still_valid(client):
    parsed = read_feed(client, "/en/organisations/feed?kind=investor")
    assert parsed.entries == []


def test_unchanged_feed_answers_304(client, cluster):
    first = client.get("/en/organisations/feed")
    again = client.get("/en/organisations/feed", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_list_pages_link_their_feed(client, cluster):
    directory = client.get("/en/organisations?kind=startup").get_data(as_text=True)
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Newly published organisations'
        ' of this list (Atom)" href="http://localhost/en/organisations/feed?kind=startup">'
    ) in directory
    found = client.get("/en/search?q=woven&page=2").get_data(as_text=True)
    assert 'href="http://localhost/en/search/feed?q=woven"' in found
    sector = client.get("/ru/sectors/fashiontech").get_data(as_text=True)
    assert 'href="http://localhost/ru/sectors/fashiontech/feed"' in sector


def test_odd_feed_arguments_never_fail(client, cluster):
    for path in (
        "/en/organisations/feed?kind=" + "x" * 500,
        "/en/organisations/feed?sector=%00&stage=%F0",
        "/en/search/feed?q=" + "(" * 300,
        "/en/search?format=atom&q=%22%22%22&per_page=-4",
    ):
        assert read_feed(client, path).feed.title


@pytest.mark.postgres
def test_feeds_on_postgresql(tmp_path):
    from tests.search.pg import postgres_app

    with postgres_app(tmp_path) as app:
        with app.app_context():
            add_cluster()
        client = app.test_client()
        assert titles(read_feed(client, "/en/organisations/feed")) == [
            "Fresh Mill",
            "Pattern Lab",
            "Smart Weave",
            "Old Mill",
        ]
        assert titles(read_feed(client, "/en/search/feed?q=woven")) == ["Fresh Mill", "Smart Weave"]

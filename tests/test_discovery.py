"""What crawlers and link previews read: JSON-LD on profiles, the sitemap, robots.txt, cards."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from cluster.services import sitemap
from tests.factories import make_org

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}


class Head(HTMLParser):
    """The meta tags (property or name -> content) and JSON-LD blocks of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.json_ld: list[dict] = []
        self._in_json_ld = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and (attributes.get("property") or attributes.get("name")):
            key = attributes.get("property") or attributes["name"]
            self.meta.setdefault(key, attributes.get("content") or "")
        self._in_json_ld = tag == "script" and attributes.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld.append(json.loads(data))

    def handle_endtag(self, tag):
        self._in_json_ld = False


@pytest.fixture
def alpha(app):
    with app.app_context():
        make_org(
            "Alpha & Sons Studio",
            slug="alpha",
            name_alt="Альфа и сыновья",
            summary="Knitwear made to order </script><b>",
            website="alpha.example",
            email="hello@alpha.example",
            phone="+7 495 123-45-67",
            social_links=["https://t.me/alpha", "javascript:alert(1)", "vk.com/alpha"],
            founded_year=2019,
            city="Moscow",
            address="Nizhnyaya Syromyatnicheskaya 10",
            building="B2",
            floor="3",
            logo="alpha.png",
        )


def test_profile_json_ld_describes_the_organisation(client, alpha):
    head = Head(client.get("/en/o/alpha").get_data(as_text=True))
    assert len(head.json_ld) == 1
    data = head.json_ld[0]
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Organization"
    assert data["name"] == "Alpha & Sons Studio"
    assert data["alternateName"] == "Альфа и сыновья"
    assert data["description"] == "Knitwear made to order </script><b>"
    assert data["url"] == "https://alpha.example"
    assert data["mainEntityOfPage"] == "http://localhost/en/o/alpha"
    assert data["logo"] == "http://localhost/uploads/alpha.png"
    assert data["foundingDate"] == "2019"
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "Nizhnyaya Syromyatnicheskaya 10, B2, floor 3",
        "addressLocality": "Moscow",
    }
    assert data["contactPoint"]["email"] == "hello@alpha.example"
    assert data["contactPoint"]["telephone"] == "+7 495 123-45-67"
    # Only web addresses: a script link never reaches a crawler.
    assert data["sameAs"] == ["https://t.me/alpha", "https://vk.com/alpha"]


def test_json_ld_leaves_out_what_the_profile_does_not_have(app, client):
    with app.app_context():
        make_org("Bare", slug="bare")
    data = Head(client.get("/ru/o/bare").get_data(as_text=True)).json_ld[0]
    assert data["name"] == "Bare"
    # Without a website of its own, the profile stands for it.
    assert data["url"] == "http://localhost/ru/o/bare"
    for missing in ("alternateName", "logo", "address", "contactPoint", "sameAs", "foundingDate"):
        assert missing not in data


def test_shared_profile_link_shows_a_card(client, alpha):
    head = Head(client.get("/en/o/alpha").get_data(as_text=True))
    assert head.meta["og:title"] == "Alpha & Sons Studio"
    assert head.meta["twitter:title"] == "Alpha & Sons Studio"
    assert head.meta["og:description"] == "Knitwear made to order </script><b>"
    assert head.meta["og:url"] == "http://localhost/en/o/alpha"
    assert head.meta["og:image"] == "http://localhost/uploads/alpha.png"
    assert head.meta["og:locale"] == "en_GB"
    assert head.meta["og:locale:alternate"] == "ru_RU"
    assert head.meta["twitter:card"] == "summary"


def test_every_page_has_a_card_in_its_language(client):
    head = Head(client.get("/ru/organisations").get_data(as_text=True))
    assert head.meta["og:locale"] == "ru_RU"
    assert head.meta["og:title"]
    assert head.meta["og:description"]
    assert "og:image" not in head.meta


def test_robots_txt_points_at_the_sitemap_and_keeps_staff_out(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "Sitemap: http://localhost/sitemap.xml" in lines
    assert "Disallow: /ru/staff/" in lines
    assert "Disallow: /en/staff/" in lines
    assert "Disallow: /api/" in lines
    # A list's file is written for a person who asks; a crawler would only cost the server.
    assert "Disallow: /ru/organisations/download" in lines


def sitemap_urls(client, path: str) -> dict[str, dict[str, str]]:
    """A sitemap file's addresses, each with its alternates by hreflang."""
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    return {
        url.findtext("sm:loc", namespaces=NS): {
            link.get("hreflang"): link.get("href")
            for link in url.findall("xhtml:link", namespaces=NS)
        }
        for url in root.findall("sm:url", namespaces=NS)
    }


def index_files(client) -> list[str]:
    root = ET.fromstring(client.get("/sitemap.xml").data)
    return [
        loc.text.removeprefix("http://localhost")
        for loc in root.findall("sm:sitemap/sm:loc", namespaces=NS)
    ]


def test_sitemap_lists_published_profiles_only_in_both_languages(app, client):
    with app.app_context():
        make_org("Shown", slug="shown")
        for status in ("draft", "pending", "archived"):
            make_org(status, slug=f"hidden-{status}", status=status)
    assert index_files(client) == ["/sitemap-pages.xml", "/sitemap-organisations-1.xml"]
    urls = sitemap_urls(client, "/sitemap-organisations-1.xml")
    assert set(urls) == {"http://localhost/ru/o/shown", "http://localhost/en/o/shown"}
    for alternates in urls.values():
        assert alternates == {
            "ru": "http://localhost/ru/o/shown",
            "en": "http://localhost/en/o/shown",
            "x-default": "http://localhost/en/o/shown",
        }


def test_sitemap_pages_list_public_pages_and_sectors_in_both_languages(client):
    urls = sitemap_urls(client, "/sitemap-pages.xml")
    for path in ("/", "/organisations", "/sectors", "/sectors/textile", "/startups", "/numbers"):
        assert f"http://localhost/ru{path}" in urls
        assert f"http://localhost/en{path}" in urls
    assert not [url for url in urls if "/staff" in url]


def test_sitemap_splits_profiles_into_files_within_the_limit(app, client, monkeypatch):
    monkeypatch.setattr(sitemap, "SITEMAP_CHUNK", 2)
    with app.app_context():
        for number in range(5):
            make_org(f"Org {number}", slug=f"org-{number}")
    files = index_files(client)
    assert files[1:] == [f"/sitemap-organisations-{n}.xml" for n in (1, 2, 3)]
    listed = [url for path in files[1:] for url in sitemap_urls(client, path)]
    assert len(listed) == len(set(listed)) == 10
    assert client.get("/sitemap-organisations-4.xml").status_code == 404
    assert client.get("/sitemap-organisations-0.xml").status_code == 404


def test_empty_directory_has_an_empty_profiles_file(client):
    assert index_files(client)[1:] == ["/sitemap-organisations-1.xml"]
    assert sitemap_urls(client, "/sitemap-organisations-1.xml") == {}

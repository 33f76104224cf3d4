"""The JSON search and autocomplete endpoints."""

from __future__ import annotations

import pytest

from tests.factories import make_startup as make_org
from tests.factories import one_commit


@pytest.fixture
def directory(app):
    with app.app_context(), one_commit():
        make_org(
            "Fashion Forward",
            sectors=["fashiontech"],
            summary="Virtual fitting for fashion brands.",
            city="Moscow",
        )
        make_org(
            "Ткацкая фабрика",
            slug="tkatskaya-fabrika",
            kind="manufacturer",
            sectors=["textile"],
            summary="Текстильное производство: ткачество и отделка.",
            city="Иваново",
        )
        make_org("Fashion Draft", status="draft", summary="Not yet public fashion.")
    return app


def test_search_answers_the_documented_shape(client, directory):
    body = client.get("/api/search?q=fashion").get_json()
    assert set(body) == {
        "query", "total", "page", "per_page", "hits", "facets", "labels", "suggestion",
        "partial", "unmatched",
    }  # fmt: skip
    assert body["query"] == "fashion"
    assert body["total"] == 1 and body["page"] == 1 and body["per_page"] == 20
    assert body["suggestion"] is None
    (hit,) = body["hits"]
    assert set(hit) == {"slug", "name", "kind", "kind_label", "summary", "snippet", "url", "score"}
    assert hit["slug"] == "fashion-forward"
    assert hit["url"] == "/en/o/fashion-forward"
    assert "<mark>" in hit["snippet"]
    assert hit["score"] > 0
    assert set(body["facets"]) == {
        *("kind", "residency", "sector", "stage", "city", "looking_for"),
        *("offers", "needs"),
    }
    assert body["facets"]["kind"] == {"startup": 1}


def test_a_typo_finds_fashion_and_suggests_the_spelling(client, directory):
    body = client.get("/api/search?q=fashon").get_json()
    assert [hit["slug"] for hit in body["hits"]] == ["fashion-forward"]
    assert body["suggestion"] == "fashion"


def test_a_russian_adjective_finds_the_textile_profile(client, directory):
    body = client.get("/api/search?q=текстильное").get_json()
    assert [hit["slug"] for hit in body["hits"]] == ["tkatskaya-fabrika"]


def test_facet_arguments_repeat_and_combine(client, directory):
    body = client.get("/api/search?kind=startup&kind=manufacturer&city=Иваново").get_json()
    assert [hit["slug"] for hit in body["hits"]] == ["tkatskaya-fabrika"]
    assert body["facets"]["kind"] == {"manufacturer": 1}
    assert body["facets"]["city"] == {"Moscow": 1, "Иваново": 1}


def test_sort_and_paging_arguments_are_read_and_bad_ones_fall_back(client, directory):
    body = client.get("/api/search?sort=name&per_page=1&page=2").get_json()
    assert body["page"] == 2 and body["per_page"] == 1 and body["total"] == 2
    assert [hit["name"] for hit in body["hits"]] == ["Ткацкая фабрика"]
    body = client.get("/api/search?sort=sideways&page=-4&per_page=abc").get_json()
    assert body["page"] == 1 and body["per_page"] == 20 and body["total"] == 2


HOSTILE = [
    '"(unclosed',
    "AND OR NOT",
    "*",
    "foo:bar",
    "x" * 10_000,
    "a%00b%07c",
    "🙂",
    "the",
    "fashion текстиль",
    "%",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_answer_200(client, directory, text):
    response = client.get("/api/search", query_string={"q": text, "page": text, "kind": text})
    assert response.status_code == 200
    assert response.get_json()["total"] >= 0
    response = client.get("/api/suggest", query_string={"q": text})
    assert response.status_code == 200
    assert isinstance(response.get_json(), list)


def test_suggest_completes_published_names(client, directory):
    assert client.get("/api/suggest?q=fas").get_json() == [
        {"name": "Fashion Forward", "slug": "fashion-forward", "url": "/en/o/fashion-forward"}
    ]
    assert client.get("/api/suggest?q=ткац").get_json()[0]["slug"] == "tkatskaya-fabrika"
    assert client.get("/api/suggest?q=").get_json() == []


def test_the_api_only_reads(client, directory):
    assert client.post("/api/search?q=fashion").status_code == 405

"""The JSON API v1: its OpenAPI document checked by schemathesis on both engines, problem
documents for every error, CORS, ETags, the rate limit, and published data only."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
from collections import Counter
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from cluster import search
from cluster.api_v1 import openapi
from cluster.extensions import db
from cluster.models import Organisation
from cluster.security import CONTENT_SECURITY_POLICY
from cluster.services.capabilities import vocabulary
from tests.factories import make_org, one_commit
from tests.helpers import build_app

# Enough cases per operation to reach every argument and its bounds, few enough for CI.
SCHEMATHESIS_EXAMPLES = 15
# The same cases on every run: a failure reproduces, and it is the code that changed.
SCHEMATHESIS_SEED = 20261201


@one_commit()
def populate() -> None:
    """A small directory with every kind of field filled somewhere, and some not public."""
    make_org(
        "Fashion Forward",
        kind="startup",
        stage="mvp",
        funding_sought=15_000_000,
        currency="RUB",
        sectors=["fashiontech"],
        summary="Virtual fitting for fashion brands.",
        city="Moscow",
        tags=["3d"],
        capabilities=["body scanning"],
        needs=["pattern cutting"],
        looking_for=["investment"],
        social_links=[{"label": "VK", "url": "vk.com/fashionforward"}, "t.me/ff"],
        website="fashionforward.example",
        logo="fashion-forward.png",
        published_at=datetime(2026, 3, 2, 10, 0),
        verified_at=datetime(2026, 4, 1, 9, 30),
    )
    make_org(
        "Ткацкая фабрика",
        slug="tkatskaya-fabrika",
        kind="manufacturer",
        residency="partner",
        sectors=["textile"],
        summary="Текстильное производство: ткачество и отделка.",
        city="Иваново",
        equipment=["жаккардовый станок"],
        published_at=datetime(2026, 5, 20, 12, 0),
    )
    make_org(
        "Школа кроя",
        slug="shkola-kroya",
        kind="education",
        programmes=[{"name": "Крой", "level": "начальный", "format": "очно", "duration": "3"}],
        published_at=datetime(2026, 6, 1, 8, 0),
    )
    make_org("Fashion Draft", status="draft", summary="Not yet public fashion.")
    make_org("Fashion Pending", status="pending", summary="Waiting for review.")
    make_org("Fashion Archive", status="archived", summary="Gone fashion.")


@pytest.fixture
def api(app):
    with app.app_context():
        populate()
    return app


# The OpenAPI document, checked by schemathesis


@pytest.fixture(params=["whoosh", "postgres"])
def engine_app(request, tmp_path):
    """A populated app searched by the engine named by the parameter, limits out of the way."""
    settings = {"API_RATE_LIMIT": "1000000 per minute"}
    if request.param == "postgres":
        from tests.search.pg import postgres_app

        with postgres_app(tmp_path / "app", **settings) as app:
            with app.app_context():
                populate()
            yield app
        return
    app = build_app(tmp_path / "app", SEARCH_BACKEND="whoosh", **settings)
    with app.app_context():
        populate()
    yield app
    with app.app_context():
        db.engine.dispose()


@contextmanager
def serving(app):
    """The app answering HTTP on a free local port, in a thread; yield its base address."""
    # One request at a time, in one thread, as schemathesis (one worker) sends them and as a
    # gunicorn sync worker serves them: the thread keeps its searcher and database connection
    # from request to request, where a thread per request opened them for each.
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def schemathesis_command() -> list[str]:
    """schemathesis's command line, from the virtualenv running the tests."""
    beside = Path(sys.executable).with_name("schemathesis")
    return [str(beside if beside.exists() else shutil.which("schemathesis") or "schemathesis")]


def test_schemathesis_finds_nothing_in_the_api_on_either_engine(engine_app, tmp_path):
    # Every documented operation, through every phase: the document's examples, the
    # boundaries of each argument (coverage), generated valid and invalid cases (fuzzing) and
    # chains of calls following the links it infers (stateful). Every check: no 5xx, status,
    # content type, headers and body as documented, valid input accepted, invalid refused.
    with serving(engine_app) as base:
        done = subprocess.run(
            [
                *schemathesis_command(),
                "run",
                f"{base}/api/v1/openapi.json",
                "--checks=all",
                "--phases=examples,coverage,fuzzing,stateful",
                f"--max-examples={SCHEMATHESIS_EXAMPLES}",
                f"--seed={SCHEMATHESIS_SEED}",
                "--workers=1",
                "--generation-database=none",
                "--no-color",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    output = done.stdout + done.stderr
    print(output[-4_000:])
    assert done.returncode == 0, output[-20_000:]
    assert "No issues found" in output
    # Every operation but the document itself, which schemathesis reads rather than tests.
    operations = [
        rule
        for rule in engine_app.url_map.iter_rules()
        if rule.endpoint.startswith("api_v1.") and rule.endpoint != "api_v1.openapi_document"
    ]
    assert f"Tested: {len(operations)}" in output, output[-3_000:]
    summary = re.search(r"Test cases:\s+(\d+) generated, (\d+) passed", output)
    assert summary and summary[1] == summary[2] and int(summary[1]) > 100, output[-3_000:]


def test_the_document_is_openapi_3_1_and_describes_every_route(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    routes = {
        re.sub(r"<([^>]+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api_v1.")
    }
    assert set(document["paths"]) == routes
    for path, item in document["paths"].items():
        assert set(item) == {"get"}, path
        responses = item["get"]["responses"]
        assert {"200", "304", "400", "429"} <= set(responses), path
    organisation = document["components"]["schemas"]["Organisation"]["properties"]
    assert {"name", "social_links", "funding_sought", "programmes"} <= set(organisation)


def test_the_document_reads_in_the_language_asked(client, app):
    english = client.get("/api/v1/openapi.json?lang=en").get_json()
    russian = client.get("/api/v1/openapi.json?lang=ru").get_json()
    assert english["paths"].keys() == russian["paths"].keys()
    assert english["info"]["title"] == "Technopark directory API"
    with app.test_request_context("/api/v1/openapi.json?lang=ru"):
        assert russian["info"]["description"] == str(openapi.DESCRIPTION)
        summary = str(openapi.PROBLEM_TITLES[404])
    assert russian["components"]["responses"]["Problem404"]["description"] == summary


# Published data only


def test_lists_search_and_suggestions_hold_published_organisations_only(client, api):
    body = client.get("/api/v1/organisations?per_page=50").get_json()
    assert {item["slug"] for item in body["items"]} == {
        "fashion-forward",
        "tkatskaya-fabrika",
        "shkola-kroya",
    }
    assert body["total"] == 3
    found = client.get("/api/v1/search?q=fashion").get_json()
    assert [item["slug"] for item in found["items"]] == ["fashion-forward"]
    names = client.get("/api/v1/suggest?q=fash").get_json()["items"]
    assert [item["slug"] for item in names] == ["fashion-forward"]


@pytest.mark.parametrize("slug", ["fashion-draft", "fashion-pending", "nobody", "Not A Slug"])
def test_an_unpublished_or_unknown_organisation_is_a_404_problem(client, api, slug):
    response = client.get(f"/api/v1/organisations/{slug}")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "No published organisation has this address.",
        "instance": f"/api/v1/organisations/{slug.replace(' ', '%20')}",
    }


def test_an_archived_organisation_is_gone(client, api):
    response = client.get("/api/v1/organisations/fashion-archive")
    assert response.status_code == 410
    assert response.get_json()["detail"] == (
        "This organisation is no longer listed in the directory."
    )


def test_one_organisation_carries_its_profile(client, api):
    body = client.get("/api/v1/organisations/fashion-forward").get_json()
    assert body["name"] == "Fashion Forward"
    assert body["kind"] == "startup" and body["kind_label"] == "Startup"
    assert body["stage"] == "mvp" and body["stage_label"] == "MVP"
    assert body["funding_sought"] == {"amount": 15_000_000, "currency": "RUB"}
    assert body["sectors"] == [{"slug": "fashiontech", "name": "Fashiontech"}]
    assert body["looking_for"] == [{"value": "investment", "label": "Investment"}]
    assert body["social_links"] == [
        {"label": "VK", "url": "https://vk.com/fashionforward"},
        {"label": "", "url": "https://t.me/ff"},
    ]
    assert body["website"] == "https://fashionforward.example"
    assert body["logo"] == "http://localhost/uploads/fashion-forward.png"
    assert body["url"] == "http://localhost/en/o/fashion-forward"
    assert body["published_at"] == "2026-03-02T10:00:00+00:00"
    assert body["verified_at"] == "2026-04-01T09:30:00+00:00"
    programmes = client.get("/api/v1/organisations/shkola-kroya").get_json()["programmes"]
    assert programmes == [{"name": "Крой", "level": "начальный", "format": "очно", "duration": "3"}]


def test_labels_and_page_addresses_follow_the_language_asked(client, api):
    russian = client.get("/api/v1/organisations/fashion-forward?lang=ru").get_json()
    assert russian["kind_label"] == "Стартап"
    assert russian["sectors"] == [{"slug": "fashiontech", "name": "Фэшн-тех"}]
    assert russian["url"] == "http://localhost/ru/o/fashion-forward"
    by_header = client.get(
        "/api/v1/organisations/fashion-forward", headers={"Accept-Language": "ru"}
    ).get_json()
    assert by_header["kind_label"] == "Стартап"


# Lists: filters, facets, pages


def test_the_list_filters_and_counts_as_search_does(client, api):
    body = client.get("/api/v1/organisations?kind=startup&kind=manufacturer").get_json()
    assert [item["slug"] for item in body["items"]] == ["fashion-forward", "tkatskaya-fabrika"]
    with api.test_request_context("/api/v1/organisations"):
        expected = search.backend().search(
            search.SearchQuery(filters={"kind": ["startup", "manufacturer"]})
        )
    for facet, values in body["facets"].items():
        assert {value["value"]: value["count"] for value in values} == expected.facets[facet]
    kinds = {value["value"]: value["label"] for value in body["facets"]["kind"]}
    assert kinds["education"] == "Educational institution"


def test_pages_link_to_their_neighbours_in_the_body_and_the_link_header(client, api):
    response = client.get("/api/v1/organisations?per_page=1&page=2&sort=newest")
    body = response.get_json()
    assert body["page"] == 2 and body["pages"] == 3 and body["total"] == 3
    assert [item["slug"] for item in body["items"]] == ["tkatskaya-fabrika"]

    def page(number: int) -> str:
        return f"http://localhost/api/v1/organisations?per_page=1&page={number}&sort=newest"

    assert body["links"] == {
        "self": page(2),
        "first": page(1),
        "last": page(3),
        "prev": page(1),
        "next": page(3),
    }
    assert response.headers["Link"] == (
        f'<{page(2)}>; rel="self", <{page(1)}>; rel="first", <{page(3)}>; rel="last", '
        f'<{page(1)}>; rel="prev", <{page(3)}>; rel="next"'
    )


def test_sectors_come_with_their_published_counts(client, api):
    items = client.get("/api/v1/sectors?lang=ru").get_json()["items"]
    by_slug = {item["slug"]: item for item in items}
    assert by_slug["textile"]["organisations"] == 1
    assert by_slug["textile"]["name"] == "Текстиль" and by_slug["textile"]["name_en"] == "Textile"
    assert by_slug["textile"]["organisations_url"] == (
        "http://localhost/api/v1/organisations?sector=textile"
    )
    assert sum(item["organisations"] for item in items) == 2


# Errors


def test_bad_arguments_are_a_400_problem_naming_each_one(client, api):
    response = client.get("/api/v1/search?page=0&kind=robot&per_page=x&q=" + "a" * 201)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["title"] == "Bad request"
    assert body["detail"] == "4 arguments of the request are not valid."
    assert body["errors"] == [
        {"parameter": "page", "detail": "“page” must be a whole number from 1 to 500."},
        {"parameter": "per_page", "detail": "“per_page” must be a whole number from 1 to 50."},
        {
            "parameter": "kind",
            "detail": "“kind” must be one of: startup, manufacturer, education, company, investor.",
        },
        {"parameter": "q", "detail": "“q” must be from 0 to 200 characters long."},
    ]


def test_problems_read_in_the_language_asked(client, api):
    body = client.get("/api/v1/organisations?page=0&lang=ru").get_json()
    assert body["title"] == "Неверный запрос"
    missing = client.get("/api/v1/nowhere", headers={"Accept-Language": "ru"}).get_json()
    assert missing["status"] == 404 and missing["title"] == "Страница не найдена"


def test_an_unknown_address_and_a_wrong_method_are_problems_not_pages(client, api):
    response = client.get("/api/v1/nowhere", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "There is no page at this address."
    response = client.post("/api/v1/organisations", headers={"Accept": "text/html"})
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    assert response.get_json()["title"] == "Method not allowed"


def test_too_many_requests_are_a_429_problem_with_retry_after(tmp_path):
    app = build_app(tmp_path, API_RATE_LIMIT="2 per minute")
    client = app.test_client()
    assert client.get("/api/v1/sectors").status_code == 200
    # The limit counts every operation together, per address.
    assert client.get("/api/v1/organisations").status_code == 200
    response = client.get("/api/v1/sectors")
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["title"] == "Too many requests"
    assert int(response.headers["Retry-After"]) > 0
    other = client.get("/api/v1/sectors", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200
    with app.app_context():
        db.engine.dispose()


# HTTP


def test_any_site_may_read_the_api(client, api):
    response = client.get("/api/v1/sectors", headers={"Origin": "https://partner.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    # A browser asks before sending If-None-Match from another site.
    preflight = client.options(
        "/api/v1/sectors",
        headers={
            "Origin": "https://partner.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    missing = client.get("/api/v1/nowhere")
    assert missing.headers["Access-Control-Allow-Origin"] == "*"


def test_an_unchanged_answer_is_304_and_a_changed_one_has_a_new_etag(client, api):
    first = client.get("/api/v1/organisations")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, no-cache"
    assert "Accept-Language" in first.headers["Vary"]
    again = client.get("/api/v1/organisations", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    with api.app_context():
        make_org("Newcomer Studio")
    changed = client.get("/api/v1/organisations", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    russian = client.get("/api/v1/organisations?lang=ru", headers={"If-None-Match": etag})
    assert russian.status_code == 200


def test_the_older_endpoints_keep_working(client, api):
    hits = client.get("/api/search?q=fashion").get_json()["hits"]
    assert [hit["slug"] for hit in hits] == ["fashion-forward"]
    assert client.get("/api/suggest?q=fash").get_json()[0]["slug"] == "fashion-forward"


def test_the_index_points_at_every_resource(client):
    body = client.get("/api/v1/").get_json()
    assert body["openapi"] == "http://localhost/api/v1/openapi.json"
    assert body["documentation"] == "http://localhost/en/api"
    for name in ("organisations", "search", "sectors", "suggest"):
        assert client.get(body[name]).status_code == 200, name


# The reference page


def test_the_reference_page_renders_the_document_from_static_files_only(client):
    response = client.get("/en/api")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    html = response.get_data(as_text=True)
    assert 'data-openapi-url="/api/v1/openapi.json?lang=en"' in html
    sources = re.findall(r'<script[^>]+src="([^"]+)"', html)
    sources += re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    # Static addresses carry a version of the file (?v=...) for long caching.
    paths = [source.split("?")[0] for source in sources]
    assert "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in paths
    assert all(not source.startswith(("http:", "https:", "//")) for source in sources)
    # No inline script or style: the policy allows neither.
    assert all(" src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert "<style" not in html and " style=" not in html
    for source in sources:
        with client.get(source) as served:
            assert served.status_code == 200, source


def test_capabilities_come_with_how_many_offer_and_need_each(client, api, app):
    items = client.get("/api/v1/capabilities?lang=ru").get_json()["items"]
    assert [item["slug"] for item in items] == [c.slug for c in vocabulary().capabilities]
    with app.app_context():
        published = db.session.scalars(
            sa.select(Organisation).where(Organisation.status == "published")
        ).all()
        offered = Counter(slug for org in published for slug in org.offers)
        needed = Counter(slug for org in published for slug in org.needs_capabilities)
    assert needed, "the directory's needs map to canonical capabilities"
    assert {i["slug"]: i["offered_by"] for i in items if i["offered_by"]} == dict(offered)
    assert {i["slug"]: i["needed_by"] for i in items if i["needed_by"]} == dict(needed)
    slug = next(iter(needed))
    item = next(item for item in items if item["slug"] == slug)
    capability = vocabulary().by_slug[slug]
    assert (item["name"], item["name_en"]) == (capability.ru, capability.en)
    assert item["needs_url"] == f"http://localhost/api/v1/organisations?needs={slug}"
    names = [org["name"] for org in client.get(item["needs_url"]).get_json()["items"]]
    assert "Fashion Forward" in names
    english = client.get("/api/v1/capabilities?lang=en").get_json()["items"]
    assert next(i for i in english if i["slug"] == slug)["name"] == capability.en

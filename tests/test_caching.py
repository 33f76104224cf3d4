"""HTTP caching on both engines: ETags on public pages and JSON, 304 without rendering, a new
ETag after a change, staff pages private, static files versioned and kept for a year."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from flask import template_rendered

from cluster.extensions import db
from cluster.models import Organisation
from tests.factories import make_org
from tests.helpers import StaffSession, build_app

PAGES = [
    "/en/",
    "/en/organisations?kind=manufacturer",
    "/en/sectors",
    "/en/sectors/textile",
    "/en/o/atelier-nova",
    "/en/search?q=felt",
    "/api/search?q=felt",
    "/api/suggest?q=ate",
]


@pytest.fixture(params=["whoosh", "postgres"])
def cached_app(request, tmp_path):
    """An app with one published organisation, searched by the engine named by the parameter."""
    if request.param == "postgres":
        from tests.search.pg import postgres_app

        with postgres_app(tmp_path) as app:
            with app.app_context():
                make_org("Atelier Nova", summary="Felt hats", sectors=["textile"])
            yield app
        return
    app = build_app(tmp_path, SEARCH_BACKEND="whoosh")
    with app.app_context():
        make_org("Atelier Nova", summary="Felt hats", sectors=["textile"])
    yield app
    with app.app_context():
        db.engine.dispose()


@contextmanager
def templates_rendered(app):
    """The names of the templates rendered inside the block."""
    names: list[str] = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


def test_public_pages_answer_an_unchanged_copy_with_304_without_rendering(cached_app):
    client = cached_app.test_client()
    for path in PAGES:
        first = client.get(path)
        assert first.status_code == 200, path
        assert first.headers["Cache-Control"] == "public, no-cache", path
        etag = first.headers["ETag"]
        with templates_rendered(cached_app) as rendered:
            again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.data == b"" and rendered == [], path
        assert again.headers["ETag"] == etag


def test_a_change_to_an_organisation_gives_pages_a_new_etag(cached_app):
    client = cached_app.test_client()
    etags = {path: client.get(path).headers["ETag"] for path in PAGES}
    with cached_app.app_context():
        org = db.session.scalar(db.select(Organisation).filter_by(slug="atelier-nova"))
        org.summary = "Felt hats and scarves"
        db.session.commit()
    for path, etag in etags.items():
        response = client.get(path, headers={"If-None-Match": etag})
        assert response.status_code == 200, path
        assert response.headers["ETag"] != etag, path
    assert "scarves" in client.get("/en/o/atelier-nova").get_data(as_text=True)


def test_each_language_has_its_own_etag(cached_app):
    client = cached_app.test_client()
    english = client.get("/en/organisations").headers["ETag"]
    assert client.get("/ru/organisations").headers["ETag"] != english
    api = client.get("/api/search?q=felt", headers={"Accept-Language": "en"})
    russian = client.get("/api/search?q=felt", headers={"Accept-Language": "ru"})
    assert api.headers["ETag"] != russian.headers["ETag"]
    assert "Accept-Language" in api.headers["Vary"] and "Cookie" in api.headers["Vary"]


def test_staff_pages_are_private_and_never_the_publics_copy(cached_app):
    public = cached_app.test_client().get("/en/organisations")
    client = cached_app.test_client()
    StaffSession(cached_app, client).login()
    response = client.get("/en/organisations", headers={"If-None-Match": public.headers["ETag"]})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["ETag"] != public.headers["ETag"]
    assert "Staff area" in response.get_data(as_text=True)


def test_static_files_have_versioned_addresses_kept_for_a_year(cached_app):
    client = cached_app.test_client()
    html = client.get("/en/").get_data(as_text=True)
    address = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]+)"', html)
    assert address, "the stylesheet's address carries its version"
    with client.get(address.group(1)) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # An old or missing version is served, but not kept.
    with client.get("/static/css/site.css?v=0123456789ab") as stale:
        assert "immutable" not in stale.headers.get("Cache-Control", "")


def test_a_page_asked_for_again_is_sent_as_rendered_until_something_changes(cached_app):
    client = cached_app.test_client()
    first = client.get("/en/organisations").get_data(as_text=True)
    with templates_rendered(cached_app) as rendered:
        again = client.get("/en/organisations").get_data(as_text=True)
    assert again == first and rendered == []
    with cached_app.app_context():
        make_org("Bolt Works", sectors=["textile"])
    with templates_rendered(cached_app) as rendered:
        changed = client.get("/en/organisations").get_data(as_text=True)
    assert "Bolt Works" in changed and rendered


def test_staff_and_visitors_with_a_session_never_get_a_kept_page(cached_app):
    cached_app.test_client().get("/en/organisations")
    client = cached_app.test_client()
    StaffSession(cached_app, client).login()
    with templates_rendered(cached_app) as rendered:
        page = client.get("/en/organisations").get_data(as_text=True)
    assert rendered and "Staff area" in page

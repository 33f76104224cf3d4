"""Two languages: the address carries the language, and everything follows it."""

from __future__ import annotations

import re

import pytest

from cluster import create_app
from cluster.extensions import db
from cluster.models import User
from tests.factories import make_org
from tests.helpers import STAFF_PASSWORD, StaffSession, app_settings, build_app, make_user


@pytest.fixture
def russian_app(tmp_path):
    """An app with the production default language (Russian)."""
    app = build_app(tmp_path, DEFAULT_LOCALE="ru")
    with app.app_context():
        make_org("Калибр", slug="kalibr", kind="manufacturer", summary="Швейный цех.")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_russian_is_the_default_language_outside_the_tests(tmp_path):
    settings = app_settings(tmp_path)
    settings.pop("DEFAULT_LOCALE")
    assert create_app(settings).config["DEFAULT_LOCALE"] == "ru"


def test_the_root_sends_a_new_visitor_to_their_browsers_language(russian_app):
    client = russian_app.test_client()
    assert client.get("/").headers["Location"] == "/ru/"
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,ru;q=0.5"})
    assert english.headers["Location"] == "/en/"
    assert client.get("/", headers={"Accept-Language": "de"}).headers["Location"] == "/ru/"


def test_an_address_without_a_language_redirects_keeping_its_query(russian_app):
    client = russian_app.test_client()
    response = client.get("/organisations?kind=manufacturer", headers={"Accept-Language": "en"})
    assert response.status_code == 308
    assert response.headers["Location"] == "/en/organisations?kind=manufacturer"
    assert client.get("/o/kalibr").headers["Location"] == "/ru/o/kalibr"
    # Nothing to redirect to: an honest 404, not a loop.
    assert client.get("/no-such-page").status_code == 404
    assert client.get("/ru/no-such-page").status_code == 404


def test_every_page_says_its_language_and_links_its_other_language(russian_app):
    client = russian_app.test_client()
    for path in ("/ru/", "/ru/organisations", "/ru/o/kalibr", "/ru/search?q=цех", "/ru/submit"):
        html = client.get(path).get_data(as_text=True)
        assert '<html lang="ru">' in html, path
        english = path.replace("/ru/", "/en/", 1).replace("?q=цех", "?q=%D1%86%D0%B5%D1%85")
        assert f'hreflang="en" href="http://localhost{english}"' in html, path
        assert f'hreflang="ru" href="http://localhost{path.split("?")[0]}' in html, path
        # The switch in the header keeps the visitor on the same page.
        assert re.search(rf'<a href="{re.escape(english)}" hreflang="en"', html), path
    html = client.get("/en/o/kalibr").get_data(as_text=True)
    assert '<html lang="en">' in html


def test_the_technopark_is_named_in_the_pages_language(russian_app):
    client = russian_app.test_client()
    for path in ("/ru/", "/ru/organisations", "/ru/o/kalibr"):
        html = client.get(path).get_data(as_text=True)
        assert "Технопарк «Челнок и Пиксель»</title>" in html, path
        assert '<span class="brand-name">Технопарк «Челнок и Пиксель»</span>' in html, path
        assert "Shuttle &amp; Pixel" not in html, path
    english = client.get("/en/o/kalibr").get_data(as_text=True)
    assert '<span class="brand-name">Shuttle &amp; Pixel Technopark</span>' in english
    assert "Челнок" not in english


def test_alternate_links_point_at_pages_that_exist(russian_app):
    client = russian_app.test_client()
    html = client.get("/ru/o/kalibr").get_data(as_text=True)
    for href in re.findall(
        r'<link rel="alternate" hreflang="[\w-]+" href="http://localhost([^"]+)"', html
    ):
        assert client.get(href).status_code == 200, href


def test_links_on_a_page_keep_its_language(russian_app):
    html = russian_app.test_client().get("/en/organisations").get_data(as_text=True)
    assert 'href="/en/o/kalibr"' in html
    assert 'href="/ru/' not in html.split('class="language-switch"')[0].split("<body", 1)[1]


def test_the_api_answers_urls_in_the_language_asked(russian_app):
    client = russian_app.test_client()
    assert client.get("/api/suggest?q=кал").get_json()[0]["url"] == "/ru/o/kalibr"
    assert client.get("/api/suggest?q=кал&lang=en").get_json()[0]["url"] == "/en/o/kalibr"
    english = client.get("/api/suggest?q=кал", headers={"Accept-Language": "en"})
    assert english.get_json()[0]["url"] == "/en/o/kalibr"


def test_staff_come_back_in_the_language_they_last_worked_in(russian_app):
    client = russian_app.test_client()
    staff_id = make_user(russian_app)
    token = StaffSession(russian_app, client).csrf_token("/en/staff/login")
    client.post(
        "/en/staff/login",
        data={"email": "editor@example.org", "password": STAFF_PASSWORD, "csrf_token": token},
    )
    assert client.get("/en/staff/").status_code == 200
    with russian_app.app_context():
        assert db.session.get(User, staff_id).locale == "en"
    # A browser asking for Russian still gets the language the account last used.
    moved = client.get("/staff/", headers={"Accept-Language": "ru"})
    assert moved.headers["Location"] == "/en/staff/"


def test_a_profile_shows_its_text_in_the_visitors_language_when_it_gave_one(russian_app):
    with russian_app.app_context():
        make_org(
            "Pixel Loom",
            summary="Digital textile printing in small runs.",
            summary_alt="Цифровая печать на ткани малыми тиражами.",
            description="We print on cotton and silk.",
            description_alt="Печатаем на хлопке и шёлке.",
        )
        make_org("Only English", summary="Pattern cutting courses.")
    client = russian_app.test_client()
    russian = client.get("/ru/o/pixel-loom").get_data(as_text=True)
    assert "Цифровая печать на ткани малыми тиражами." in russian
    assert "Печатаем на хлопке и шёлке." in russian
    assert "We print on cotton" not in russian
    english = client.get("/en/o/pixel-loom").get_data(as_text=True)
    assert "Digital textile printing in small runs." in english and "Печатаем" not in english
    # Without a Russian text the original stays, marked as English for screen readers.
    card = client.get("/ru/organisations").get_data(as_text=True)
    assert '<p class="org-card-summary" lang="en">Pattern cutting courses.</p>' in card
    assert "Цифровая печать на ткани малыми тиражами." in card


def test_the_second_language_texts_travel_through_import_and_export(russian_app):
    from cluster.services import exporter, importer

    rows = [
        {"name": "Stitch Lab", "kind": "company", "summary": "Sewing.", "summary_alt": "Пошив."}
    ]
    with russian_app.app_context():
        report = importer.import_rows(rows)
        assert report.ok, report.errors
        exported = exporter.export_csv(exporter.select_organisations())
    header = exported.splitlines()[0].split(",")
    assert "summary_alt" in header and "description_alt" in header
    assert "Пошив." in exported


def test_a_submission_remembers_the_language_it_was_sent_in(russian_app):
    from tests.factories import find_org
    from tests.helpers import StaffSession

    client = russian_app.test_client()
    token = StaffSession(russian_app, client).csrf_token("/ru/submit")
    response = client.post(
        "/ru/submit",
        data={
            "name": "Ткацкий двор",
            "kind": "company",
            "residency": "resident",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    assert find_org("tkatskii-dvor", app=russian_app).submission_locale == "ru"


def test_the_apis_labels_follow_the_language_asked(russian_app):
    client = russian_app.test_client()
    english = client.get("/api/search?q=kalibr&lang=en").get_json()
    assert english["hits"][0]["kind_label"] == "Manufacturer"
    assert english["labels"]["kind"] == {"manufacturer": "Manufacturer"}
    russian = client.get("/api/search?q=kalibr", headers={"Accept-Language": "ru"}).get_json()
    assert russian["hits"][0]["kind_label"] != "Manufacturer"
    # The data stays as stored, in any language.
    assert russian["hits"][0]["name"] == english["hits"][0]["name"] == "Калибр"

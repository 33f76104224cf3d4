"""Public pages: home, directory, profiles, sectors, uploads and error pages."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from cluster.extensions import db
from tests.factories import make_org, one_commit

BASE_TIME = datetime(2024, 1, 1, 12, 0)


def at_minute(minutes: int) -> datetime:
    """A creation time that many minutes after BASE_TIME, to order organisations by age."""
    return BASE_TIME + timedelta(minutes=minutes)


def names_on(response) -> list[str]:
    """Organisation names shown as cards, in page order."""
    html = response.get_data(as_text=True)
    return re.findall(r'class="org-card-name"><a href="/en/o/[^"]+"[^>]*>([^<]+)</a>', html)


@pytest.fixture
def directory(app):
    """A small directory across kinds, residencies, sectors and cities, plus hidden ones."""
    with app.app_context(), one_commit():
        make_org(
            "Atelier Nova",
            kind="manufacturer",
            city="Kazan",
            sectors=["textile"],
            created_at=at_minute(1),
        )
        make_org(
            "Bright Pixel",
            kind="startup",
            city="Moscow",
            sectors=["animation"],
            created_at=at_minute(2),
        )
        make_org(
            "Cotton Lab",
            kind="startup",
            residency="partner",
            city="Kazan",
            sectors=["textile", "fashiontech"],
            created_at=at_minute(3),
        )
        make_org(
            "Design School",
            kind="education",
            city="Moscow",
            sectors=["design"],
            created_at=at_minute(4),
        )
        make_org(
            "Ezra Prints",
            kind="company",
            city="Kazan",
            sectors=["digital-printing"],
            created_at=at_minute(5),
        )
        make_org(
            "Hidden Draft",
            kind="startup",
            status="draft",
            sectors=["textile"],
            created_at=at_minute(6),
        )
        make_org(
            "Waiting Pending",
            kind="startup",
            status="pending",
            sectors=["textile"],
            created_at=at_minute(7),
        )
        make_org(
            "Old Archived",
            kind="startup",
            status="archived",
            sectors=["textile"],
            created_at=at_minute(8),
        )
    return app


# Home


def test_home_shows_counts_search_box_and_recent_published(client, directory):
    response = client.get("/en/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="site-search"' in html and 'name="q"' in html
    assert 'data-suggest-url="/api/suggest"' in html
    assert "Browse all 5 organisations" in html
    # Two startups, one of each other kind.
    startups = r'<span class="stat-number">2</span>\s*<span class="stat-label">Startups'
    assert re.search(startups, html)
    assert "Educational institution<" in html
    assert 'href="/en/sectors/textile"' in html
    recent = names_on(response)
    assert recent[0] == "Ezra Prints"
    assert "Hidden Draft" not in html and "Waiting Pending" not in html
    assert "Old Archived" not in html


def test_home_renders_on_an_empty_directory(client):
    response = client.get("/en/")
    assert response.status_code == 200
    assert "No organisations are listed yet" in response.get_data(as_text=True)


def test_base_layout_has_landmarks_skip_link_and_assets(client):
    html = client.get("/en/").get_data(as_text=True)
    assert '<a class="skip-link" href="#main">' in html
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html
    assert '<label class="visually-hidden" for="site-search">' in html
    assert 'action="/en/search"' in html
    assert 'href="/en/submit"' in html
    assert "/static/css/site.css" in html
    assert re.search(r'<script src="/static/js/site\.js[^"]*" defer>', html)
    assert "style=" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None


def test_staff_link_follows_the_login(client, staff):
    html = client.get("/en/").get_data(as_text=True)
    assert 'href="/en/staff/login">Staff login' in html
    assert 'href="/en/staff/">Staff<' not in html
    staff.login()
    html = client.get("/en/").get_data(as_text=True)
    assert '<li><a href="/en/staff/">Staff</a></li>' in html
    assert "Staff login" not in html


def test_flashed_messages_are_shown(app):
    from flask import flash, render_template

    with app.test_request_context("/"):
        flash("Thank you, we will check it.", "success")
        flash("<b>careful</b>", "nonsense-category")
        html = render_template("public/sectors.html", sector_counts=[])
    assert '<p class="flash flash-success">Thank you, we will check it.</p>' in html
    assert '<p class="flash flash-info">&lt;b&gt;careful&lt;/b&gt;</p>' in html


def test_site_name_comes_from_config(tmp_path):
    from tests.helpers import build_app

    app = build_app(tmp_path, SITE_NAME="Loom Park")
    html = app.test_client().get("/en/").get_data(as_text=True)
    assert '<span class="brand-name">Loom Park</span>' in html
    with app.app_context():
        db.engine.dispose()


def test_static_assets_are_served(client):
    for path in ("/static/css/site.css", "/static/js/site.js", "/static/img/logo.svg"):
        with client.get(path) as response:
            assert response.status_code == 200, path


# Directory


def test_directory_lists_only_published_sorted_by_name(client, directory):
    response = client.get("/en/organisations")
    assert response.status_code == 200
    assert names_on(response) == [
        "Atelier Nova",
        "Bright Pixel",
        "Cotton Lab",
        "Design School",
        "Ezra Prints",
    ]


def test_directory_sorts_newest_first(client, directory):
    newest = names_on(client.get("/en/organisations?sort=newest"))
    assert newest[:2] == ["Ezra Prints", "Design School"]


def test_directory_newest_prefers_publication_date(client, app):
    with app.app_context():
        make_org(
            "Published Late", created_at=at_minute(1), published_at=BASE_TIME + timedelta(days=3)
        )
        make_org("Created Late", created_at=at_minute(60))
    assert names_on(client.get("/en/organisations?sort=newest")) == [
        "Published Late",
        "Created Late",
    ]


def test_filter_values_repeat_as_or(client, directory):
    response = client.get("/en/organisations?kind=startup&kind=education")
    assert names_on(response) == ["Bright Pixel", "Cotton Lab", "Design School"]


def test_filters_combine_as_and_across(client, directory):
    response = client.get("/en/organisations?kind=startup&city=Kazan")
    assert names_on(response) == ["Cotton Lab"]
    response = client.get("/en/organisations?sector=textile&residency=resident")
    assert names_on(response) == ["Atelier Nova"]
    response = client.get("/en/organisations?sector=textile&sector=animation&kind=startup")
    assert names_on(response) == ["Bright Pixel", "Cotton Lab"]


def test_city_filter_ignores_letter_case(client, directory):
    assert names_on(client.get("/en/organisations?city=kazan")) == [
        "Atelier Nova",
        "Cotton Lab",
        "Ezra Prints",
    ]


def test_cyrillic_city_filter_matches_exactly(client, app):
    with app.app_context():
        make_org("Ткацкая мастерская", city="Иваново")
        make_org("Other", city="Kazan")
    response = client.get("/en/organisations", query_string={"city": "Иваново"})
    assert names_on(response) == ["Ткацкая мастерская"]
    assert 'lang="ru"' in response.get_data(as_text=True)


def test_unknown_filter_values_never_fail(client, directory):
    response = client.get("/en/organisations?kind=spaceship&residency=moon")
    assert response.status_code == 200
    assert len(names_on(response)) == 5
    response = client.get("/en/organisations?sector=no-such-sector")
    assert response.status_code == 200
    assert names_on(response) == []
    assert "Nothing matches these filters" in response.get_data(as_text=True)
    assert client.get("/en/organisations?sort=sideways").status_code == 200


def test_active_filter_can_be_removed(client, directory):
    html = client.get("/en/organisations?kind=startup&city=Kazan").get_data(as_text=True)
    assert 'href="/en/organisations?kind=startup"' in html
    assert 'href="/en/organisations?city=Kazan"' in html


def test_filter_form_keeps_choices_checked(client, directory):
    html = client.get("/en/organisations?sector=textile&sort=newest").get_data(as_text=True)
    assert re.search(r'name="sector" value="textile" checked', html)
    assert '<option selected value="newest">' in html


@pytest.fixture
def many(app):
    app.config["PER_PAGE"] = 2
    with app.app_context(), one_commit():
        for number in range(5):
            make_org(f"Org {number}", kind="startup", created_at=at_minute(number))
    return app


def test_directory_paginates_with_per_page(client, many):
    first = client.get("/en/organisations")
    assert names_on(first) == ["Org 0", "Org 1"]
    html = first.get_data(as_text=True)
    assert "Page 1 of 3" in html
    assert 'href="/en/organisations?page=2" rel="next"' in html
    assert names_on(client.get("/en/organisations?page=3")) == ["Org 4"]


def test_pagination_links_keep_filters(client, many):
    html = client.get("/en/organisations?kind=startup&sort=newest").get_data(as_text=True)
    next_link = r'href="/en/organisations\?kind=startup&amp;sort=newest&amp;page=2" rel="next"'
    assert re.search(next_link, html)


@pytest.mark.parametrize(
    "page, expected",
    [
        ("-1", ["Org 0", "Org 1"]),
        ("abc", ["Org 0", "Org 1"]),
        ("0", ["Org 0", "Org 1"]),
        ("999999", ["Org 4"]),
        ("1e3", ["Org 0", "Org 1"]),
        ("99999999999999999999", ["Org 0", "Org 1"]),
    ],
)
def test_hostile_page_numbers_are_clamped(client, many, page, expected):
    response = client.get(f"/en/organisations?page={page}")
    assert response.status_code == 200
    assert names_on(response) == expected


@pytest.mark.parametrize("name", ["q", "kind", "sector", "city", "residency", "sort", "page"])
def test_very_long_parameters_never_fail(client, directory, name):
    long_value = "x" * 5000
    for path in ("/en/organisations", "/en/sectors/textile", "/en/"):
        response = client.get(path, query_string={name: long_value})
        assert response.status_code == 200, path


ODD_VALUES = ("%00", "\x00", "a\x00b", "' OR 1=1 --", "<script>", "🧵", "a" * 130, "%", "_", "\\")
RAW_QUERIES = ("city=%ff%fe&page=%ff", "kind=%00&sector=%C0%AF", "page=%00", "sort[]=x&page[]=1")


def check_hostile_requests(client):
    for value in ODD_VALUES:
        for name in ("city", "sector", "kind", "residency", "sort", "page"):
            response = client.get("/en/organisations", query_string={name: value})
            assert response.status_code == 200, (name, value)
        assert client.get("/en/sectors/textile", query_string={"page": value}).status_code == 200
    for raw in RAW_QUERIES:
        assert client.get("/en/organisations?" + raw).status_code == 200, raw
    for path in ("/en/o/%00", "/en/o/a%00b", "/en/sectors/%00", "/en/o/%ff", "/uploads/%00.png"):
        assert client.get(path).status_code == 404, path


def test_odd_characters_in_parameters_never_fail(client, directory):
    check_hostile_requests(client)


@pytest.mark.postgres
def test_odd_characters_never_fail_on_postgresql(tmp_path):
    from tests.search.pg import postgres_app

    with postgres_app(tmp_path) as app:
        with app.app_context():
            make_org("Atelier Nova", city="Kazan", sectors=["textile"])
        client = app.test_client()
        check_hostile_requests(client)
        assert names_on(client.get("/en/organisations?city=kazan&sector=textile")) == [
            "Atelier Nova"
        ]
        assert client.get("/en/o/atelier-nova").status_code == 200


# Profile


def test_profile_shows_every_field(client, app):
    with app.app_context():
        make_org(
            "Loom & Line",
            slug="loom-and-line",
            name_alt="Лум и Лайн",
            kind="manufacturer",
            residency="resident",
            summary="Small-batch sewing for young brands.",
            description="We sew.\n\nWe also cut patterns.",
            sectors=["textile", "apparel-manufacturing"],
            tags=["eco", "small batch"],
            capabilities=["small-batch sewing", "pattern cutting"],
            needs=["a fabric supplier"],
            looking_for=["suppliers", "customers"],
            equipment=["Juki DDL-9000", "Gerber cutter"],
            min_order="50 pieces",
            capacity="3,000 garments a month",
            founded_year=2016,
            team_size=24,
            city="Kazan",
            address="12 Weavers Street",
            building="B2",
            floor="3",
            unit="314",
            website="loom-line.example",
            email="hello@loom-line.example",
            phone="+7 (843) 555-01-02",
            verified_at=datetime(2024, 3, 5, 10, 0),
        )
    response = client.get("/en/o/loom-and-line")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r"<h1[^>]*>Loom &amp; Line</h1>", html)
    for text in (
        "Лум и Лайн",
        "Small-batch sewing for young brands.",
        "<p>We sew.</p><p>We also cut patterns.</p>",
        "Manufacturer",
        "Resident of the technopark",
        "#eco",
        "small-batch sewing",
        "a fabric supplier",
        "Suppliers",
        "Juki DDL-9000",
        "50 pieces",
        "3,000 garments a month",
        "2016",
        "24 people",
        "12 Weavers Street",
        "Building B2, floor 3, unit 314",
        "Checked by the technopark on",
        "5 March 2024",
    ):
        assert text in html, text
    assert 'href="https://loom-line.example" rel="nofollow noopener"' in html
    assert 'href="mailto:hello@loom-line.example"' in html
    assert 'href="tel:+78435550102"' in html
    assert 'href="/en/organisations?sector=textile"' in html
    assert 'href="/en/organisations?sector=apparel-manufacturing"' in html


def test_startup_profile_shows_stage_and_funding_with_currency(client, app):
    with app.app_context():
        make_org("Fit Mirror", kind="startup", stage="mvp", funding_sought=15000000, currency="RUB")
    html = client.get("/en/o/fit-mirror").get_data(as_text=True)
    assert "MVP" in html
    # Babel's English currency format, with CLDR's no-break space between a code and digits.
    assert "<dd>RUB\u00a015,000,000</dd>" in html


def test_amounts_and_dates_follow_the_page_language(client, app):
    with app.app_context():
        checked = datetime(2026, 12, 1, 9, 30)
        make_org(
            "Fit Mirror",
            kind="startup",
            funding_sought=15000000,
            currency="RUB",
            verified_at=checked,
            team_size=1200,
        )
        make_org("Cloud Loom", kind="startup", funding_sought=500000, currency="USD")
        make_org("Quiet Shop", kind="startup", funding_sought=2500)
    russian = client.get("/ru/o/fit-mirror").get_data(as_text=True)
    assert "<dd>15\u00a0000\u00a0000\u00a0₽</dd>" in russian
    assert ">1 декабря 2026</time>" in russian
    assert "1\u00a0200" in russian
    english = client.get("/en/o/fit-mirror").get_data(as_text=True)
    assert ">1 December 2026</time>" in english
    assert "1,200 people" in english
    assert "<dd>$500,000</dd>" in client.get("/en/o/cloud-loom").get_data(as_text=True)
    assert "<dd>500\u00a0000\u00a0$</dd>" in client.get("/ru/o/cloud-loom").get_data(as_text=True)
    # Without a currency the amount is only a number.
    assert "<dd>2,500</dd>" in client.get("/en/o/quiet-shop").get_data(as_text=True)
    from cluster.templating import format_date

    with app.test_request_context("/ru/"):
        # Stored in UTC, shown in the technopark's time (BABEL_DEFAULT_TIMEZONE, Moscow).
        assert format_date(checked, "d MMMM y, HH:mm") == "1 декабря 2026, 12:30"
        assert format_date(checked.date()) == "1 декабря 2026"


def test_education_profile_shows_programmes_table(client, app):
    with app.app_context():
        make_org(
            "Pattern Academy",
            kind="education",
            programmes=[
                {
                    "name": "Pattern cutting",
                    "level": "Beginner",
                    "format": "Evening",
                    "duration": "3 months",
                },
                {
                    "name": "Конструирование одежды",
                    "level": "Advanced",
                    "format": "Full-time",
                    "duration": "1 year",
                },
            ],
        )
    html = client.get("/en/o/pattern-academy").get_data(as_text=True)
    assert "<table" in html
    expected = ("Pattern cutting", "Beginner", "Evening", "3 months", "Конструирование одежды")
    for text in (*expected, "1 year"):
        assert text in html


def test_profile_without_optional_fields_renders(client, app):
    with app.app_context():
        make_org("Bare Minimum", kind="company")
    response = client.get("/en/o/bare-minimum")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ">Contacts</h2>" not in html
    assert "Checked by the technopark" not in html


def test_dangerous_website_is_not_linked(client, app):
    with app.app_context():
        make_org("Sly", website="javascript:alert(1)")
    html = client.get("/en/o/sly").get_data(as_text=True)
    assert "javascript:" not in html


def test_profile_shows_similar_organisations_when_given(app):
    from flask import render_template

    from cluster.search import Hit

    with app.app_context():
        org = make_org("Main Org")
        similar = [
            Hit(
                id=2,
                slug="twin",
                name="Twin Org",
                kind="startup",
                summary="Much alike.",
                snippet="",
                score=1.0,
            )
        ]
        with app.test_request_context("/en/o/main-org"):
            html = render_template("public/profile.html", org=org, similar=similar)
    assert "Similar organisations" in html
    assert 'href="/en/o/twin"' in html and "Much alike." in html


def test_profile_has_no_similar_section_without_results(app):
    from flask import render_template

    with app.app_context():
        org = make_org("Alone")
        with app.test_request_context("/en/o/alone"):
            html = render_template("public/profile.html", org=org, similar=[])
    assert "Similar organisations" not in html


def test_archived_profile_is_gone(client, directory):
    response = client.get("/en/o/old-archived")
    assert response.status_code == 410
    assert "This organisation is no longer listed" in response.get_data(as_text=True)


@pytest.mark.parametrize("slug", ["hidden-draft", "waiting-pending", "no-such-org", "x" * 5000])
def test_unpublished_or_unknown_profile_is_not_found(client, directory, slug):
    response = client.get(f"/en/o/{slug}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Hidden Draft" not in html and "Waiting Pending" not in html
    assert 'id="error-search"' in html and 'href="/en/"' in html


def test_not_found_answers_json_to_json_clients(client):
    response = client.get("/en/o/nobody", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404


def test_error_pages_carry_our_own_titles_not_werkzeugs(client):
    html = client.get("/en/o/nobody").get_data(as_text=True)
    assert "<title>Page not found · " in html and "Not Found" not in html
    assert "<h1>Page not found</h1>" in html
    assert client.delete("/api/search").get_json()["error"] == {
        "code": 405,
        "title": "Method not allowed",
        "message": "This address does not accept that kind of request.",
    }


def test_an_error_code_without_words_of_its_own_reads_as_its_class(app):
    from flask import abort

    app.add_url_rule("/en/teapot", "teapot", lambda: abort(418))
    answer = app.test_client().get("/en/teapot", headers={"Accept": "application/json"})
    assert answer.status_code == 418
    assert answer.get_json()["error"] == {
        "code": 418,
        "title": "Bad request",
        "message": "The request could not be understood.",
    }


def test_logo_is_served_from_the_upload_dir(client, app, tmp_path):
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
    (tmp_path / "uploads" / "abc123.png").write_bytes(png)
    with app.app_context():
        make_org("With Logo", logo="abc123.png")
    html = client.get("/en/o/with-logo").get_data(as_text=True)
    logo = '<img class="org-logo org-logo-large" src="/uploads/abc123.png" alt="Logo of With Logo"'
    assert logo in html
    with client.get("/uploads/abc123.png") as response:
        assert response.status_code == 200
        assert response.data == png


@pytest.mark.parametrize(
    "name", ["..%2Fcluster.sqlite3", ".hidden.png", "abc123.svg", "cluster.sqlite3", "missing.png"]
)
def test_uploads_refuse_unsafe_or_missing_names(client, tmp_path, name):
    (tmp_path / "uploads" / "abc123.svg").write_text("<svg/>")
    assert client.get(f"/uploads/{name}").status_code == 404


# Sectors


def test_sector_page_lists_its_published_organisations(client, directory):
    response = client.get("/en/sectors/textile")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Textile" in html
    assert names_on(response) == ["Atelier Nova", "Cotton Lab"]


def test_sector_page_paginates(client, app):
    app.config["PER_PAGE"] = 1
    with app.app_context():
        make_org("One", sectors=["design"])
        make_org("Two", sectors=["design"])
    assert names_on(client.get("/en/sectors/design?page=2")) == ["Two"]
    assert names_on(client.get("/en/sectors/design?page=abc")) == ["One"]
    assert names_on(client.get("/en/sectors/design?page=999999")) == ["Two"]


def test_empty_sector_page_renders(client, directory):
    response = client.get("/en/sectors/games")
    assert response.status_code == 200
    assert "No published organisation works in this sector yet" in response.get_data(as_text=True)


def test_unknown_sector_is_not_found(client):
    assert client.get("/en/sectors/underwater-basket-weaving").status_code == 404


def test_sectors_index_counts_published_only(client, directory):
    html = client.get("/en/sectors").get_data(as_text=True)
    textile = re.search(r'href="/en/sectors/textile">.*?(\d+) organisation', html, re.DOTALL)
    assert textile and textile.group(1) == "2"


# Escaping and headers


def test_markup_in_organisation_fields_is_escaped(client, app):
    script = "<script>alert(1)</script>"
    with app.app_context():
        make_org(
            script,
            slug="xss",
            summary=script,
            description=script,
            city=script,
            tags=[script],
            capabilities=[script],
        )
    for path in ("/en/o/xss", "/en/organisations", "/en/"):
        html = client.get(path).get_data(as_text=True)
        assert script not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path


def test_security_headers_are_sent(client, directory):
    for path in ("/en/", "/en/organisations", "/en/o/atelier-nova", "/en/o/nobody"):
        response = client.get(path)
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"

"""The shared template pieces: the lang attribute, the filter sidebar, links and colour tokens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import Markup

from cluster.templating import lang_attr
from tests.factories import make_org

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"


@pytest.fixture(scope="module")
def templates() -> dict[str, str]:
    """Every template's source by its path under templates/."""
    return {
        str(path.relative_to(TEMPLATES)): path.read_text(encoding="utf-8")
        for path in sorted(TEMPLATES.rglob("*.html"))
    }


# The lang attribute


def test_lang_attr_marks_cyrillic_text_and_leaves_latin_text_alone():
    assert lang_attr("Ткацкая мастерская") == Markup(' lang="ru"')
    assert lang_attr("Weaving Studio") == ""
    assert lang_attr("") == ""
    assert lang_attr(None) == ""
    # Mostly Latin with a Cyrillic word stays unmarked: the page itself is in English.
    assert lang_attr("Studio Ткань, weaving and dyeing") == ""
    assert isinstance(lang_attr("Weaving Studio"), Markup)


def test_profile_marks_a_cyrillic_name_and_not_a_latin_one(client, app):
    with app.app_context():
        make_org("Ткацкая мастерская", slug="tkatskaya", city="Иваново", summary="Ткани на заказ.")
        make_org("Weaving Studio", slug="weaving", city="Kazan", summary="Cloth to order.")
    cyrillic = client.get("/o/tkatskaya").get_data(as_text=True)
    assert '<h1 lang="ru">Ткацкая мастерская</h1>' in cyrillic
    assert '<p class="profile-summary lead" lang="ru">Ткани на заказ.</p>' in cyrillic
    latin = client.get("/o/weaving").get_data(as_text=True)
    assert "<h1>Weaving Studio</h1>" in latin
    assert '<p class="profile-summary lead">Cloth to order.</p>' in latin


def test_cards_mark_cyrillic_names_and_cities(client, app):
    with app.app_context():
        make_org("Ткацкая мастерская", slug="tkatskaya", city="Иваново")
        make_org("Weaving Studio", slug="weaving", city="Kazan")
    html = client.get("/organisations").get_data(as_text=True)
    assert '<a href="/o/tkatskaya" lang="ru">Ткацкая мастерская</a>' in html
    assert '<a href="/o/weaving">Weaving Studio</a>' in html
    assert '<span lang="ru">Иваново</span>' in html
    assert "<span>Kazan</span>" in html


def test_templates_write_the_lang_attribute_only_through_lang_attr(templates):
    for path, text in templates.items():
        assert not re.search(r"\|lang\b(?!_attr)", text), path


# Links


def test_templates_link_through_url_for_not_hard_coded_paths(templates):
    # A fragment (href="#main") is fine; a path written out breaks when a blueprint moves.
    hard_coded = re.compile(r'\b(?:href|action|src|formaction|data-[\w-]+-url)="/')
    for path, text in templates.items():
        assert not hard_coded.search(text), (path, hard_coded.findall(text))


def test_scripts_take_addresses_from_the_page(templates):
    # The autocomplete reads its address from data-suggest-url, which url_for writes.
    for script in sorted((ROOT / "static" / "js").glob("*.js")):
        code = re.sub(r"^\s*//.*$", "", script.read_text(encoding="utf-8"), flags=re.MULTILINE)
        assert not re.search(r"[\"']/(?:api|staff|submit|search|organisations|o)\b", code), script


def test_links_in_the_layout_point_at_their_endpoints(client, staff):
    html = client.get("/").get_data(as_text=True)
    assert 'data-suggest-url="/api/suggest"' in html
    # Header, hero, the empty directory's invitation, call to action, footer.
    assert html.count('href="/submit"') == 5
    assert '<li><a href="/staff/login">Staff login</a></li>' in html
    staff.login()
    html = client.get("/").get_data(as_text=True)
    assert '<li><a href="/staff/">Staff</a></li>' in html
    assert '<li><a href="/staff/">Staff area</a></li>' in html

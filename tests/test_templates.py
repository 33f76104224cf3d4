"""The shared template pieces: the lang attribute, the filter sidebar, links and colour tokens."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import request
from markupsafe import Markup

from cluster import browse, search
from cluster.services import directory
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
    cyrillic = client.get("/en/o/tkatskaya").get_data(as_text=True)
    assert '<h1 lang="ru">Ткацкая мастерская</h1>' in cyrillic
    assert '<p class="profile-summary lead" lang="ru">Ткани на заказ.</p>' in cyrillic
    latin = client.get("/en/o/weaving").get_data(as_text=True)
    assert "<h1>Weaving Studio</h1>" in latin
    assert '<p class="profile-summary lead">Cloth to order.</p>' in latin


def test_cards_mark_cyrillic_names_and_cities(client, app):
    with app.app_context():
        make_org("Ткацкая мастерская", slug="tkatskaya", city="Иваново")
        make_org("Weaving Studio", slug="weaving", city="Kazan")
    html = client.get("/en/organisations").get_data(as_text=True)
    assert '<a href="/en/o/tkatskaya" lang="ru">Ткацкая мастерская</a>' in html
    assert '<a href="/en/o/weaving">Weaving Studio</a>' in html
    assert '<span lang="ru">Иваново</span>' in html
    assert "<span>Kazan</span>" in html
    # The same city as a filter in the sidebar.
    assert '<span lang="ru">Иваново</span> <span class="count">1</span>' in html


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
    html = client.get("/en/").get_data(as_text=True)
    assert 'data-suggest-url="/api/suggest"' in html
    # Header, hero, the empty directory's invitation, call to action, footer.
    assert html.count('href="/en/submit"') == 5
    assert '<li><a href="/en/staff/login">Staff login</a></li>' in html
    staff.login()
    html = client.get("/en/").get_data(as_text=True)
    assert '<li><a href="/en/staff/">Staff</a></li>' in html
    assert '<li><a href="/en/staff/">Staff area</a></li>' in html


# The filter sidebar


def sidebar(html: str) -> str:
    """The filter sidebar's markup on a page."""
    start = html.index('<aside class="filters-panel"')
    return html[start : html.index("</aside>", start) + len("</aside>")]


class Skeleton(HTMLParser):
    """The distinct element paths of some markup, as 'aside.filters-panel/details.filters/...'."""

    VOID = {"input", "br", "img", "meta", "link"}

    def __init__(self, markup: str):
        super().__init__()
        self.stack: list[str] = []
        self.paths: set[str] = set()
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("type") == "hidden":
            return  # what a page carries along (the search words) is its own
        classes = (attributes.get("class") or "").split()
        # A long group only adds a class that makes it scroll.
        name = ".".join([tag, *[c for c in classes if c != "filter-group-long"]])
        self.paths.add("/".join([*self.stack, name]))
        if tag not in self.VOID:
            self.stack.append(name)

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.stack.pop()


def test_directory_and_search_share_one_sidebar(client, app):
    with app.app_context():
        make_org("Weaving Studio", kind="startup", city="Kazan", sectors=["textile"])
    listing = sidebar(client.get("/en/organisations?kind=startup").get_data(as_text=True))
    found = sidebar(client.get("/en/search?q=weaving&kind=startup").get_data(as_text=True))
    # Only the directory counts its active filters in the summary.
    assert Skeleton(listing).paths - Skeleton(found).paths == {
        "aside.filters-panel/details.filters/summary/span.count"
    }
    assert Skeleton(found).paths <= Skeleton(listing).paths
    for html in (listing, found):
        assert '<details class="filters" open data-collapse-below="900">' in html
        assert '<form method="get" action="' in html
        assert "<legend>Kind</legend>" in html
        assert 'name="kind" value="startup" checked>' in html
        assert '<button class="button button-primary" type="submit">Apply</button>' in html
    assert '<summary>Filter and sort <span class="count">1 active</span></summary>' in listing
    assert '<a class="button button-ghost" href="/en/organisations">Clear all</a>' in listing
    assert "<summary>Refine and sort</summary>" in found
    assert '<a class="button button-ghost" href="/en/search?q=weaving">Clear filters</a>' in found
    assert '<input name="q" type="hidden" value="weaving">' in found


@pytest.fixture
def directory_app(app):
    """Two published organisations, one with a Cyrillic city."""
    with app.app_context():
        make_org("Weaving Studio", kind="startup", city="Kazan", sectors=["textile"])
        make_org("Ткацкая мастерская", kind="manufacturer", city="Иваново", sectors=["textile"])
    return app


def test_sort_select_is_rendered_from_its_form_with_the_chosen_sort(client, directory_app):
    html = sidebar(client.get("/en/organisations?sort=newest").get_data(as_text=True))
    assert '<label for="sort">Sort by</label>' in html
    assert (
        '<select id="sort" name="sort"><option value="name">Name (A–Z)</option>'
        '<option selected value="newest">Newest first</option></select>'
    ) in html
    html = sidebar(client.get("/en/search?sort=name").get_data(as_text=True))
    assert (
        '<select id="sort" name="sort"><option value="relevance">Best match</option>'
        '<option selected value="name">Name (A–Z)</option>'
        '<option value="newest">Newest first</option></select>'
    ) in html
    # An unknown sort is read as the page's default, and the select shows that.
    html = sidebar(client.get("/en/search?sort=sideways").get_data(as_text=True))
    assert '<option selected value="relevance">Best match</option>' in html
    html = sidebar(client.get("/en/organisations?sort=sideways").get_data(as_text=True))
    assert '<option selected value="name">Name (A–Z)</option>' in html
    assert "Clear all" not in html


def test_directory_groups_come_with_labels_counts_and_choices(directory_app):
    with directory_app.test_request_context("/en/organisations?kind=startup&sector=textile"):
        query = directory.parse_query(request.args)
        panel = browse.directory_filters(
            query,
            kinds=directory.counts_by_kind(),
            residencies=directory.counts_by_residency(),
            sectors=directory.sectors_with_counts(include_empty=False),
            cities=directory.cities_with_counts(),
        )
    assert [group.name for group in panel.groups] == ["kind", "residency", "sector", "city"]
    assert [group.title for group in panel.groups] == ["Kind", "Residency", "Sector", "City"]
    kinds = panel.groups[0].options
    assert [(o.value, o.label, o.count, o.checked) for o in kinds] == [
        ("startup", "Startup", 1, True),
        ("manufacturer", "Manufacturer", 1, False),
    ]
    sectors = panel.groups[2].options
    assert [(o.value, o.label, o.count, o.checked) for o in sectors] == [
        ("textile", "Textile", 2, True)
    ]
    assert {o.value for o in panel.groups[3].options} == {"Kazan", "Иваново"}
    assert panel.labels["sector"]["textile"] == "Textile"
    assert panel.active_count == 2
    assert panel.clear_url == "/en/organisations"
    assert panel.form.sort.data == "name"


def test_directory_leaves_out_the_city_group_until_some_organisation_has_a_city(app):
    with app.test_request_context("/en/organisations"):
        panel = browse.directory_filters(
            directory.parse_query(request.args), kinds={}, residencies={}, sectors=[], cities=[]
        )
    assert [group.name for group in panel.groups] == ["kind", "residency", "sector"]
    assert panel.clear_url is None and panel.active_count == 0


def test_search_groups_keep_a_chosen_value_that_matches_nothing(app):
    with app.test_request_context("/en/search?q=felt&city=Nowhere&sort=newest"):
        query = search.query_from_args(request.args)
        panel = browse.search_filters(
            query,
            facets={"kind": {"startup": 3}, "stage": {}, "city": {"Kazan": 2}},
            labels={"kind": {"startup": "Startup"}},
        )
    # A facet with no counts and nothing chosen has no group.
    assert [group.name for group in panel.groups] == ["kind", "city"]
    cities = panel.groups[1].options
    assert [(o.value, o.label, o.count, o.checked) for o in cities] == [
        ("Kazan", "Kazan", 2, False),
        ("Nowhere", "Nowhere", 0, True),
    ]
    assert panel.groups[0].options[0].label == "Startup"
    assert panel.clear_url == "/en/search?q=felt"
    assert panel.form.q.data == "felt" and panel.form.sort.data == "newest"


def test_a_group_with_many_options_scrolls(client, app):
    options = {f"city-{number:02}": 1 for number in range(browse.LONG_GROUP + 1)}
    assert browse.filter_group("city", options, {}, []).long
    assert not browse.filter_group("city", dict(list(options.items())[:-1]), {}, []).long
    with app.app_context():
        for number in range(browse.LONG_GROUP + 1):
            make_org(f"Studio {number:02}", slug=f"studio-{number:02}", city=f"City {number:02}")
    html = sidebar(client.get("/en/organisations").get_data(as_text=True))
    assert html.count("filter-group-long") == 1


# Colours


COLOUR = re.compile(
    r"#[0-9a-f]{3,8}\b|\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color)\(|"
    r"\b(?:white|black|red|green|blue|gray|grey|yellow|orange|purple|pink|silver|navy)\b",
    re.IGNORECASE,
)


def declarations_outside_root(css: str) -> list[str]:
    """The property values of a stylesheet, leaving out comments and the :root block."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    css = re.sub(r":root\s*\{[^}]*\}", "", css)
    return [value.strip() for value in re.findall(r"[\w-]+\s*:\s*([^;{}]+);", css)]


def test_stylesheets_take_every_colour_from_the_tokens():
    stylesheets = sorted((ROOT / "static" / "css").glob("*.css"))
    assert {path.name for path in stylesheets} >= {"site.css", "search.css", "staff.css"}
    for path in stylesheets:
        for value in declarations_outside_root(path.read_text(encoding="utf-8")):
            assert not COLOUR.search(value), (path.name, value)


def test_every_token_a_stylesheet_uses_is_defined():
    site = (ROOT / "static" / "css" / "site.css").read_text(encoding="utf-8")
    root = re.search(r":root\s*\{([^}]*)\}", site)
    assert root
    defined = set(re.findall(r"(--[\w-]+)\s*:", root.group(1)))
    for path in sorted((ROOT / "static" / "css").glob("*.css")):
        for used in re.findall(r"var\(\s*(--[\w-]+)", path.read_text(encoding="utf-8")):
            assert used in defined, (path.name, used)

"""The shared template pieces: the lang attribute, the filter sidebar, links, colour tokens, and
every word of the public pages through gettext."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import request
from markupsafe import Markup

from cluster import browse, search
from cluster.services import browsing, directory
from cluster.templating import format_number, lang_attr
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


def test_lang_attr_marks_text_written_in_the_other_language_of_the_page(app):
    with app.test_request_context("/en/"):
        assert lang_attr("Ткацкая мастерская") == Markup(' lang="ru"')
        assert lang_attr("Weaving Studio") == ""
        assert lang_attr("") == ""
        assert lang_attr(None) == ""
        # Mostly Latin with a Cyrillic word stays unmarked: the page itself is in English.
        assert lang_attr("Studio Ткань, weaving and dyeing") == ""
        assert lang_attr("2016, +7 843") == ""  # no letters, no language
        # Signs in the Latin range (×) and numbers that are not digits (½) are not letters.
        assert lang_attr("Ткань 150 × 300 ½ ×××××××") == Markup(' lang="ru"')
        assert isinstance(lang_attr("Weaving Studio"), Markup)
    with app.test_request_context("/ru/"):
        assert lang_attr("Weaving Studio") == Markup(' lang="en"')
        assert lang_attr("Ткацкая мастерская") == ""
        assert lang_attr("Ткацкая мастерская Weave") == ""
        assert isinstance(lang_attr("Ткацкая мастерская"), Markup)


def test_numbers_are_grouped_as_the_pages_language_groups_them(app):
    with app.test_request_context("/en/"):
        assert format_number(1500000) == "1,500,000"
        assert format_number(None) == ""
    with app.test_request_context("/ru/"):
        # Asked again in another language: the remembered English answer is not reused.
        assert format_number(1500000) == "1\xa0500\xa0000"
        assert format_number(2.5) == "2,5"


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


def test_russian_profile_marks_a_latin_name_and_not_a_cyrillic_one(client, app):
    with app.app_context():
        make_org("Ткацкая мастерская", slug="tkatskaya", summary="Ткани на заказ.")
        make_org("Weaving Studio", slug="weaving", summary="Cloth to order.")
    latin = client.get("/ru/o/weaving").get_data(as_text=True)
    assert '<h1 lang="en">Weaving Studio</h1>' in latin
    assert '<p class="profile-summary lead" lang="en">Cloth to order.</p>' in latin
    cyrillic = client.get("/ru/o/tkatskaya").get_data(as_text=True)
    assert "<h1>Ткацкая мастерская</h1>" in cyrillic
    assert '<p class="profile-summary lead">Ткани на заказ.</p>' in cyrillic


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
    # The investor view, in the header and the footer.
    assert html.count('href="/en/startups"') == 2
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
        panel = browse.directory_filters(query, browsing.listing(query, 20).facets)
    assert [group.name for group in panel.groups] == ["kind", "residency", "sector", "city"]
    assert [group.title for group in panel.groups] == ["Kind", "Residency", "Sector", "City"]
    # Each group counts under the other groups' choices, as on the search page.
    kinds = panel.groups[0].options
    assert sorted((o.value, o.label, o.count, o.checked) for o in kinds) == [
        ("manufacturer", "Manufacturer", 1, False),
        ("startup", "Startup", 1, True),
    ]
    sectors = panel.groups[2].options
    assert [(o.value, o.label, o.count, o.checked) for o in sectors] == [
        ("textile", "Textile", 1, True)
    ]
    assert [(o.value, o.count) for o in panel.groups[3].options] == [("Kazan", 1)]
    assert panel.labels["sector"]["textile"] == "Textile"
    assert panel.active_count == 2
    assert panel.clear_url == "/en/organisations"
    assert panel.form.sort.data == "name"


def test_directory_leaves_out_the_groups_no_organisation_has_a_value_of(app):
    with app.test_request_context("/en/organisations"):
        panel = browse.directory_filters(
            directory.parse_query(request.args), {"kind": {}, "city": {}, "stage": {}}
        )
    assert panel.groups == []
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


# Words through gettext

# Attributes people read (or hear); `value` only on buttons, `content` only in a description.
READ_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "label"}
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
STRING = re.compile(r""""[^"]*"|'[^']*'""")
# The strings of a gettext call: _("..."), ngettext("...", "...", n), pgettext("ctx", "...").
GETTEXT_STRINGS = re.compile(
    r"""\b(?:_|gettext|ngettext|pgettext|npgettext)\(\s*"""
    r"""(?:"[^"]*"|'[^']*')(?:\s*,\s*(?:"[^"]*"|'[^']*'))*"""
)
# Two words in a string literal of an expression: a sentence, not a name or an endpoint.
PROSE = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}")


class ReadText(HTMLParser):
    """What a person reads in some markup: text and read attributes, each with its language.

    Scripts and styles are left out; symbols and punctuation (·, →, ×, ✓, #) carry no letters.
    """

    VOID = {"area", "br", "col", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self, markup: str, language: str = ""):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = [("", language)]
        self.found: list[tuple[str, str]] = []
        self.feed(markup)
        self.close()

    @property
    def language(self) -> str:
        return self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        language = attributes.get("lang") or self.language
        read = {name for name in attributes if name in READ_ATTRIBUTES or name.endswith("-label")}
        if tag == "meta" and attributes.get("name") == "description":
            read.add("content")
        if tag in ("input", "button") and attributes.get("type") in ("submit", "button", "reset"):
            read.add("value")
        self.found += [(attributes.get(name, "").strip(), language) for name in sorted(read)]
        if tag not in self.VOID:
            self.stack.append((tag, language))

    def handle_endtag(self, tag):
        while len(self.stack) > 1:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self.stack[-1][0] not in ("script", "style") and data.strip():
            self.found.append((data.strip(), self.language))

    def words(self) -> list[str]:
        """The texts that hold a letter of any script."""
        return [text for text, _ in self.found if re.search(r"[^\W\d_]", text)]

    def latin_outside(self, language: str) -> list[str]:
        """The texts with Latin letters that are not inside an element in `language`."""
        return [
            text for text, lang in self.found if re.search("[A-Za-z]", text) and lang != language
        ]


def untranslated(source: str) -> list[str]:
    """Words of a template that reach the page without gettext."""
    sentences = []
    for expression in JINJA.findall(source):
        for literal in STRING.findall(GETTEXT_STRINGS.sub("", expression)):
            if PROSE.search(literal):
                sentences.append(literal)
    return sentences + ReadText(JINJA.sub(" ", source)).words()


PUBLIC_TEMPLATES = ("base.html", "_forms.html", "_pagination.html", "public/", "errors/")


def test_the_check_for_untranslated_words_finds_them():
    assert untranslated('<p>{{ _("Fine") }} · {{ org.name }} →</p>') == []
    assert untranslated('<p>Hello {{ _("World") }}</p>') == ["Hello"]
    assert untranslated('<img src="{{ logo }}" alt="Logo of {{ org.name }}">') == ["Logo of"]
    assert untranslated('<a aria-label="{{ _(\'Pages\') }}" title="Next">→</a>') == ["Next"]
    assert untranslated("<p>{{ 'An organisation' if n == 1 else _('Some') }}</p>") == [
        "'An organisation'"
    ]
    assert untranslated('{{ ngettext("%(num)d thing", "%(num)d things", n) }}') == []
    assert untranslated('<input type="submit" value="Send"><input type="hidden" value="x y">') == [
        "Send"
    ]
    assert untranslated('<meta name="description" content="A directory">') == ["A directory"]
    assert untranslated('<input data-suggest-label="Suggested names">') == ["Suggested names"]
    assert untranslated("<script>var x = 'in a script';</script>{# a comment #}") == []


def test_public_templates_send_every_word_through_gettext(templates):
    public = {path: text for path, text in templates.items() if path.startswith(PUBLIC_TEMPLATES)}
    assert "public/profile.html" in public and "errors/error.html" in public
    for path, text in public.items():
        assert untranslated(text) == [], path


# Words and sentence punctuation only: not a selector, an event name or a media query.
WORD = r"[^\W\d_]+(?:['’-][^\W\d_]+)*"
JS_PROSE = re.compile(rf"{WORD}(?:[,;:]?\s+{WORD})+[.!?…]?")


def test_scripts_take_the_words_they_show_from_the_page():
    literal = re.compile(r""""[^"\n]*"|'[^'\n]*'""")
    shown = re.compile(r"""(?:textContent|innerText|title|alt)\s*=\s*["'][^"']*[^\W\d_]""")
    labelled = re.compile(
        r"""setAttribute\(\s*["'](?:aria-label|title|alt|placeholder)["']\s*,\s*["']"""
    )
    for script in sorted((ROOT / "static" / "js").glob("*.js")):
        code = re.sub(r"^\s*//.*$", "", script.read_text(encoding="utf-8"), flags=re.MULTILINE)
        assert not shown.search(code) and not labelled.search(code), script
        sentences = [
            text
            for text in literal.findall(code)
            if JS_PROSE.fullmatch(text[1:-1]) and text[1:-1] != "use strict"
        ]
        assert sentences == [], script


def test_module_level_labels_are_translated_when_shown():
    from flask_babel.speaklater import LazyString

    from cluster import fields, models, templating

    labels = [
        *models.KIND_LABELS.values(),
        *models.RESIDENCY_LABELS.values(),
        *models.STAGE_LABELS.values(),
        *models.LOOKING_FOR_LABELS.values(),
        *models.STATUS_LABELS.values(),
        *templating.KIND_PLURALS.values(),
        *browse.SORT_LABELS.values(),
        *browse.FILTER_TITLES.values(),
        *(fieldset.legend for fieldset in fields.FIELDSETS),
        *(field.label for field in fields.FIELDS),
        *(field.hint for field in fields.FIELDS if field.hint),
    ]
    assert all(isinstance(label, LazyString) for label in labels)
    assert set(models.STATUS_LABELS) == set(models.STATUSES)
    assert set(models.LOOKING_FOR_LABELS) == set(models.LOOKING_FOR)


# Every public page under a stand-in Russian catalogue: each marked string becomes Cyrillic, so
# any Latin word left on a Russian page was never marked (or is data outside a lang="en").


def pseudo_russian(text: str) -> str:
    """Every Latin letter as Ж or ж, placeholders kept."""
    pieces = re.split(r"(%\([a-z_]+\)[sd]|%%)", text)
    return "".join(
        piece if index % 2 else re.sub(r"[A-Za-z]", lambda m: "Ж" if m[0].isupper() else "ж", piece)
        for index, piece in enumerate(pieces)
    )


@pytest.fixture(scope="module")
def pseudo_catalogue(tmp_path_factory) -> Path:
    """A directory with a ru catalogue of every marked string, made from a fresh extraction."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from cluster import translations

    folder = tmp_path_factory.mktemp("pseudo")
    translations.extract(folder / "messages.pot")
    with (folder / "messages.pot").open("rb") as source:
        template = read_po(source)
    catalogue = Catalog(locale="ru")
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            singular, plural = message.id
            forms: tuple[str, ...] = (pseudo_russian(singular),) + (pseudo_russian(plural),) * 2
            if message.id == ("%(num)s organisation", "%(num)s organisations"):
                forms = ("%(num)s организация", "%(num)s организации", "%(num)s организаций")
            catalogue.add(message.id, forms, context=message.context)
        else:
            catalogue.add(message.id, pseudo_russian(message.id), context=message.context)
    target = folder / "ru" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as out:
        write_mo(out, catalogue)
    return folder


@pytest.fixture
def pseudo_app(tmp_path, pseudo_catalogue):
    """An app whose pages read the stand-in catalogue, with a directory written in Russian."""
    from datetime import datetime

    import sqlalchemy as sa
    from flask_babel import Domain

    from cluster.extensions import db
    from cluster.models import Sector
    from tests.helpers import build_app

    app = build_app(tmp_path, PER_PAGE=2, SITE_NAME="Челнок и Пиксель")
    domain = Domain(translation_directories=[str(pseudo_catalogue)])
    app.before_request(domain.as_default)
    with app.app_context():
        # Some Russian sector names hold Latin letters ("3D-печать"); these become Cyrillic too.
        for sector in db.session.scalars(sa.select(Sector)):
            sector.name_ru = pseudo_russian(sector.name_ru)
        make_org(
            "Ткацкая мастерская",
            slug="tkatskaya",
            kind="startup",
            stage="mvp",
            funding_sought=15_000_000,
            currency="RUB",
            summary="Ткани на заказ.",
            description="Ткём.\n\nКрасим.",
            sectors=["textile", "design"],
            tags=["эко"],
            capabilities=["пошив"],
            needs=["ткань"],
            looking_for=["investment", "talent"],
            city="Иваново",
            address="ул. Ткачей, 1",
            building="Б2",
            floor="3",
            unit="301",
            phone="+7 843 555-01-02",
            founded_year=2016,
            team_size=5,
            verified_at=datetime(2026, 12, 1, 9, 30),
        )
        make_org(
            "Швейный цех",
            slug="tsekh",
            kind="manufacturer",
            residency="partner",
            equipment=["оверлок"],
            min_order="50 штук",
            capacity="3000 изделий в месяц",
            sectors=["textile"],
            city="Иваново",
            summary="Пошив малых партий.",
        )
        make_org(
            "Школа кроя",
            slug="shkola",
            kind="education",
            sectors=["design"],
            programmes=[
                {"name": "Крой", "level": "начальный", "format": "очно", "duration": "3 месяца"}
            ],
        )
        make_org("Ателье", slug="atele", sectors=["textile"], summary="Шьём.")
        make_org("Ушедшие", slug="ushedshie", status="archived")
    yield app
    with app.app_context():
        db.engine.dispose()


PSEUDO_PAGES = (
    "/ru/",
    "/ru/organisations",
    "/ru/organisations?kind=startup&sector=textile&city=Иваново&sort=newest",
    "/ru/organisations?page=2",
    "/ru/organisations?sector=games",
    "/ru/o/tkatskaya",
    "/ru/o/tsekh",
    "/ru/o/shkola",
    "/ru/sectors",
    "/ru/sectors/textile",
    "/ru/sectors/games",
    "/ru/search?q=пошив",
    "/ru/search?q=ткани&kind=startup",
    "/ru/search?q=щщщщщщ",
    "/ru/search?q=пошив&page=9",
    "/ru/submit",
    "/ru/submit/thanks",
    "/ru/startups",
    "/ru/startups?sort=stage&from=100&to=900000000",
    "/ru/o/tsekh/introduce",
    "/ru/o/tsekh/introduce/thanks",
    "/ru/no-such-page",
    "/ru/o/ushedshie",
    "/ru/api",
)


def test_russian_pages_show_no_word_that_was_not_marked(pseudo_app):
    client = pseudo_app.test_client()
    for path in PSEUDO_PAGES:
        response = client.get(path)
        assert response.status_code in (200, 404, 410), path
        html = response.get_data(as_text=True)
        assert "Ж" in html, path
        assert ReadText(html).latin_outside("en") == [], path
    page = client.get("/ru/submit").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    refused = client.post("/ru/submit", data={"csrf_token": token[1], "name": "", "kind": ""})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'class="error-summary"' in html
    assert ReadText(html).latin_outside("en") == []


def test_counts_take_the_plural_form_of_the_page_language(pseudo_app):
    client = pseudo_app.test_client()
    sectors = client.get("/ru/sectors").get_data(as_text=True)
    assert "3 организации" in sectors  # textile
    assert "0 организаций" in sectors  # games
    assert "4 организации" in client.get("/ru/organisations").get_data(as_text=True)
    assert "1 организация" in client.get("/ru/organisations?kind=startup").get_data(as_text=True)


# Sector names


def test_sectors_are_named_in_the_language_of_the_page(client, app):
    with app.app_context():
        make_org("Weaving Studio", city="Kazan", sectors=["textile"])
    russian = client.get("/ru/sectors").get_data(as_text=True)
    assert '<span class="sector-card-name">Текстиль</span>' in russian
    assert '<span class="sector-card-alt" lang="en">Textile</span>' in russian
    english = client.get("/en/sectors").get_data(as_text=True)
    assert '<span class="sector-card-name">Textile</span>' in english
    assert '<span class="sector-card-alt" lang="ru">Текстиль</span>' in english
    assert "<h1>Текстиль " in client.get("/ru/sectors/textile").get_data(as_text=True)
    # Cards, profiles and both sidebars' facets.
    for path in ("/ru/organisations", "/ru/search?q=weaving", "/ru/o/weaving-studio"):
        html = client.get(path).get_data(as_text=True)
        assert "Текстиль" in html and ">Textile<" not in html, path
    assert '<span>Текстиль</span> <span class="count">1</span>' in sidebar(
        client.get("/ru/search?q=weaving").get_data(as_text=True)
    )
    assert '<label for="sectors-1">Текстиль</label>' in client.get("/ru/submit").get_data(
        as_text=True
    )

"""Every word the staff templates show goes through gettext.

The check reads each template with Jinja's own lexer: the text between tags and expressions,
and the attributes people read (title, aria-label, placeholder, alt, a button's value, a label
a script shows), must hold no letters outside a gettext call; neither may a string literal
inside an expression that reads like words ('Save', 'the system'), unless it is an argument
of _() or ngettext().
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from jinja2 import Environment

from cluster.extensions import db
from cluster.forms import form_data
from cluster.models import Organisation, Revision, utcnow
from cluster.services import organisations

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "staff"
GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "aria-description"}
BUTTON_TYPES = {"submit", "button", "reset"}
# Words that are the same in every language: file formats shown as link texts.
ALLOWED = {"CSV", "JSON"}
LETTER = re.compile(r"[^\W\d_]")
# A literal that reads like words: a capital followed by small letters, or two words.
WORDS = re.compile(r"[A-ZА-ЯЁ][a-zа-яё]|[^\W\d_]{2,}\s+[^\W\d_]{2,}")


class _TextFinder(HTMLParser):
    """Collects text nodes and read attributes with letters in them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1
        values = dict(attrs)
        for name, value in attrs:
            # Labels a script shows (data-busy-label) are read as well.
            readable = (
                name in READ_ATTRIBUTES
                or name.endswith("-label")
                or (
                    name == "value"
                    and (tag == "button" or values.get("type", "").lower() in BUTTON_TYPES)
                )
            )
            if readable and value:
                self.check(f"{tag}[{name}]", value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.check("text", data)

    def check(self, where: str, text: str) -> None:
        text = text.strip()
        if LETTER.search(text) and text not in ALLOWED:
            self.found.append(f"{where}: {text!r}")


def unmarked(source: str) -> list[str]:
    """The words of a template that do not go through gettext."""
    html: list[str] = []
    literals: list[str] = []
    # Depth of the parentheses of each gettext call the lexer is inside.
    calls: list[int] = []
    depth = 0
    previous = None
    for _line, kind, value in Environment().lex(source):
        if kind == "whitespace":
            continue
        if kind == "data":
            html.append(value)
        elif kind == "operator" and value == "(":
            depth += 1
            if previous in GETTEXT:
                calls.append(depth)
        elif kind == "operator" and value == ")":
            if calls and calls[-1] == depth:
                calls.pop()
            depth -= 1
        elif kind == "string" and not calls:
            text = value[1:-1]  # the lexer gives the literal with its quotes
            if WORDS.search(text) and text not in ALLOWED:
                literals.append(f"literal: {text!r}")
        previous = value if kind == "name" else None
    finder = _TextFinder()
    finder.feed("".join(html))
    finder.close()
    return finder.found + literals


def test_the_check_finds_words_left_out_of_gettext():
    assert unmarked("<p>Nothing is waiting.</p>") == ["text: 'Nothing is waiting.'"]
    assert unmarked('<nav aria-label="Staff"></nav>') == ["nav[aria-label]: 'Staff'"]
    assert unmarked('<img alt="Logo of {{ org.name }}">') == ["img[alt]: 'Logo of'"]
    assert unmarked('<input type="submit" value="Send">') == ["input[value]: 'Send'"]
    assert unmarked('<button data-busy-label="Importing…">') == [
        "button[data-busy-label]: 'Importing…'"
    ]
    assert unmarked("<button>{{ 'Save' if org else 'Create' }}</button>") == [
        "literal: 'Save'",
        "literal: 'Create'",
    ]
    assert unmarked("{{ org.email or 'the submitter' }}") == ["literal: 'the submitter'"]
    assert unmarked("<p>{{ count }} row{{ 's' if count != 1 }}</p>") == ["text: 'row'"]


def test_the_check_lets_marked_words_codes_and_markup_through():
    assert unmarked("<p>{{ _('Nothing is waiting.') }}</p>") == []
    assert unmarked("<nav aria-label=\"{{ _('Staff') }}\"></nav>") == []
    assert unmarked("{{ ngettext('%(num)d row', '%(num)d rows', n) }}") == []
    assert unmarked("{{ _('Delete %(name)s?', name=org.name) }}") == []
    assert unmarked("{{ field(form.file, hint=_('At most %(mb)d MB.', mb=max_mb)) }}") == []
    assert unmarked("<a href=\"{{ url_for('staff.organisations.edit', slug=s) }}\">·</a>") == []
    assert unmarked('<span class="status status-{{ org.status }}">{{ org.name }}</span>') == []
    assert unmarked('<input type="hidden" name="confirm" value="y">') == []
    assert unmarked("{# A comment says why. #}<a>CSV</a> · <a>JSON</a>") == []
    assert unmarked("<script>var words = 'not shown';</script>") == []


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.html")), ids=lambda path: path.name)
def test_every_word_of_the_staff_templates_goes_through_gettext(template):
    assert unmarked(template.read_text(encoding="utf-8")) == []


@pytest.fixture
def changed_listing(app, staff):
    """A listing an editor made, then changed: its team size and its status."""
    staff.login()
    staff.post(
        "/en/staff/organisations/new",
        {"name": "Kalibr", "kind": "manufacturer", "status": "draft", "team_size": "5"},
    )
    with app.app_context():
        form = form_data(organisations.find("kalibr"))
    staff.post("/en/staff/organisations/kalibr/edit", {**form, "team_size": "12"})
    staff.post("/en/staff/organisations/kalibr/publish")
    with app.app_context():
        # Every revision at one known moment, to read the dates back.
        db.session.execute(sa.update(Revision).values(created_at=datetime(2026, 3, 5, 14, 5)))
        db.session.commit()


def test_history_names_fields_and_choices_by_their_labels(client, changed_listing):
    page = client.get("/en/staff/organisations/kalibr/history").get_data(as_text=True)
    assert '<th scope="row" data-field="team_size">Team size</th>' in page
    assert '<th scope="row" data-field="status">Status</th>' in page
    assert re.search(r'<td class="old"[^>]*>Draft</td><td class="new"[^>]*>Published</td>', page)
    assert ">team_size<" not in page and ">published<" not in page
    assert "Version 3: published" in page and "Version 1: created" in page


def test_staff_dates_are_written_in_the_page_language(client, changed_listing):
    # Stored in UTC, shown in the technopark's time (Moscow, three hours ahead).
    english = client.get("/en/staff/organisations/kalibr/history").get_data(as_text=True)
    assert "5 March 2026, 17:05 by editor@example.org" in english
    russian = client.get("/ru/staff/organisations/kalibr/history").get_data(as_text=True)
    assert "5 марта 2026, 17:05" in russian


def test_the_edit_page_says_how_long_ago_the_listing_changed(app, client, changed_listing):
    with app.app_context():
        db.session.execute(
            sa.update(Organisation).values(updated_at=utcnow() - timedelta(hours=3, minutes=1))
        )
        db.session.commit()
    page = client.get("/en/staff/organisations/kalibr/edit").get_data(as_text=True)
    assert re.search(
        r"Version \d+, changed <time datetime=\"[\dT:-]+Z\" title=\"[^\"]+\">3 hours ago</time>\.",
        page,
    )
    russian = client.get("/ru/staff/organisations/kalibr/edit").get_data(as_text=True)
    assert ">3 часа назад</time>" in russian


def test_the_audit_log_names_status_changes_by_their_labels(client, staff, changed_listing):
    # The log stores codes ("draft → published"); people read the statuses' labels.
    staff.logout()
    staff.login("admin@example.org", role="admin")
    english = client.get("/en/staff/audit").get_data(as_text=True)
    assert re.search(r"<td[^>]*>Draft → Published</td>", english)
    russian = client.get("/ru/staff/audit").get_data(as_text=True)
    assert re.search(r"<td[^>]*>Черновик → Опубликовано</td>", russian)
    assert "draft → published" not in english + russian

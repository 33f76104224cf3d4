"""Result cards: what matters for each kind, badges, and a snippet only when it adds something."""

from __future__ import annotations

import re

import pytest

from cluster.extensions import db
from cluster.search.snippets import beyond
from tests.factories import make_org, one_commit


def cards(page: str) -> dict[str, str]:
    """Each card's markup by the organisation's name."""
    found = {}
    for card in re.findall(r'<article class="org-card">.*?</article>', page, re.DOTALL):
        name = re.search(r'<h3 class="org-card-name"><a [^>]*>([^<]+)</a>', card)
        assert name
        found[name.group(1)] = card
    return found


@pytest.fixture
def directory(app):
    with app.app_context(), one_commit():
        make_org(
            "Bobbin Lab",
            kind="startup",
            stage="mvp",
            funding_sought=250_000,
            currency="EUR",
            summary="Smart bobbins for knitting machines.",
            description="Our sensors count every stitch a knitting machine makes.",
            capabilities=["stitch counting"],
            needs=["pilot factories"],
            commit=False,
        )
        make_org(
            "Knit Works",
            kind="manufacturer",
            residency="partner",
            summary="Knitting in small runs.",
            capabilities=["flat knitting", "linking"],
            min_order="50 pieces",
            commit=False,
        )
        make_org(
            "Pattern School",
            kind="education",
            summary="Courses in pattern cutting.",
            programmes=[{"name": "Knitwear design", "level": "", "format": "", "duration": ""}],
            commit=False,
        )
        db.session.commit()
    return app


def test_cards_show_what_matters_for_each_kind(client, directory):
    found = cards(client.get("/en/organisations").get_data(as_text=True))
    startup = found["Bobbin Lab"]
    assert '<span class="badge badge-stage">MVP</span>' in startup
    assert re.search(r"<dt>Seeking</dt> <dd[^>]*>€250,000", startup)
    assert re.search(r"<dt>Offers</dt> <dd[^>]*>stitch counting", startup)
    assert re.search(r"<dt>Needs</dt> <dd[^>]*>pilot factories", startup)
    maker = found["Knit Works"]
    assert '<span class="badge badge-partner">Partner</span>' in maker
    assert re.search(r"<dt>Offers</dt> <dd[^>]*>flat knitting, linking", maker)
    assert re.search(r"<dt>Minimum order</dt> <dd[^>]*>50 pieces", maker)
    assert re.search(r"<dt>Programmes</dt> <dd[^>]*>Knitwear design", found["Pattern School"])


def test_a_snippet_sits_inside_its_card_only_when_it_says_more_than_the_card(client, directory):
    found = cards(client.get("/en/search?q=stitch").get_data(as_text=True))
    # Found in the description: shown inside the card, marked.
    assert '<p class="search-snippet"' in found["Bobbin Lab"]
    assert "<mark>stitch</mark> a knitting machine makes" in found["Bobbin Lab"]

    found = cards(client.get("/en/search?q=bobbins").get_data(as_text=True))
    # Found only in the summary the card already shows: no second copy of it.
    assert "search-snippet" not in found["Bobbin Lab"]
    page = client.get("/en/search?q=").get_data(as_text=True)
    assert "search-snippet" not in page
    assert page.count("Smart bobbins for knitting machines.") == 1


def test_snippet_lines_repeating_the_summary_offers_or_needs_are_left_out():
    snippet = "Smart <mark>bobbins</mark>.\nSensors for <mark>bobbins</mark>"
    snippet += " … <mark>bobbins</mark>; spools"
    assert beyond(snippet, "Smart bobbins.") == (
        "Sensors for <mark>bobbins</mark> … <mark>bobbins</mark>; spools"
    )
    assert (
        beyond(snippet, "Smart bobbins.", "bobbins; spools") == "Sensors for <mark>bobbins</mark>"
    )
    # A line of the fragment without a matched word says nothing about the search.
    assert beyond("Smart <mark>bobbins</mark>.\nOur sensors", "Smart bobbins.") is None
    assert beyond(snippet, "Smart bobbins.", "Sensors for bobbins", "bobbins; spools") is None
    assert beyond("Tom &amp; <mark>Jerry</mark>", "Tom & Jerry") is None
    assert beyond(None, "anything") is None
    # At most two lines, in their order.
    assert beyond("a <mark>x</mark>\nb <mark>x</mark>\nc <mark>x</mark>") == (
        "a <mark>x</mark> … b <mark>x</mark>"
    )

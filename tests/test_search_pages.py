"""The search page: results with snippets, facets as checkboxes, suggestion and pagination."""

from __future__ import annotations

import pytest

from cluster.extensions import db
from cluster.models import Organisation
from tests.factories import make_startup as make_org
from tests.factories import one_commit


@pytest.fixture
def directory(app):
    with app.app_context(), one_commit():
        make_org(
            "Fashion Forward",
            sectors=["fashiontech"],
            summary="Virtual fitting for fashion brands.",
            description="Body scanning <script>alert(1)</script> for fashion shops.",
            city="Moscow",
            commit=False,
        )
        for n in range(25):
            make_org(
                f"Sewing Shop {n:02}",
                kind="manufacturer",
                summary="Sewing in small runs.",
                commit=False,
            )
        make_org("Hidden Fashion", status="draft", summary="A fashion draft.", commit=False)
        # One commit: the index takes the whole directory in one write.
        db.session.commit()
    return app


def test_results_show_cards_with_highlighted_snippets(client, directory):
    page = client.get("/en/search?q=scanning").get_data(as_text=True)
    assert "Fashion Forward" in page
    assert 'href="/en/o/fashion-forward"' in page
    assert "<mark>scanning</mark>" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_facets_are_checkboxes_with_counts_in_a_get_form(client, directory):
    page = client.get("/en/search?kind=manufacturer").get_data(as_text=True)
    assert 'method="get"' in page
    assert 'name="kind" value="manufacturer" checked' in page
    assert 'name="kind" value="startup"' in page
    assert '<span class="count">25</span>' in page
    assert "25 organisations" in page
    # A selected value that matches nothing keeps its checkbox, with a count of 0.
    page = client.get("/en/search?kind=manufacturer&city=Nowhere").get_data(as_text=True)
    assert 'name="city" value="Nowhere" checked' in page


def test_a_typo_offers_the_suggestion_as_a_link(client, directory):
    page = client.get("/en/search?q=fashon").get_data(as_text=True)
    assert "Did you mean" in page
    assert 'href="/en/search?q=fashion"' in page
    assert "Fashion Forward" in page


def test_results_are_paginated_with_shareable_urls(client, directory):
    first = client.get("/en/search?kind=manufacturer&sort=name").get_data(as_text=True)
    assert "Sewing Shop 00" in first and "Sewing Shop 20" not in first
    assert "page=2" in first
    second = client.get("/en/search?kind=manufacturer&sort=name&page=2").get_data(as_text=True)
    assert "Sewing Shop 20" in second and "Sewing Shop 00" not in second


def test_drafts_never_appear(client, directory):
    page = client.get("/en/search?q=fashion").get_data(as_text=True)
    assert "Hidden Fashion" not in page


HOSTILE_ARGUMENTS = [
    'q="(unclosed',
    "q=" + "x" * 10_000,
    "q=AND+OR+NOT",
    "q=foo:bar",
    "q=%00%01",
    "q=🙂",
    "page=abc",
    "page=-1",
    "page=999999",
    "sort=%3Cscript%3E",
    "kind=" + "k" * 5000,
    "city=%00",
]


def test_hostile_input_answers_200(client, directory):
    for query in HOSTILE_ARGUMENTS:
        assert client.get(f"/en/search?{query}").status_code == 200, query


def test_an_organisation_edited_and_committed_is_found_by_its_new_words(app, client, directory):
    with app.app_context():
        org = db.session.scalar(
            db.select(Organisation).where(Organisation.slug == "fashion-forward")
        )
        org.summary = "Now making felted wool slippers."
        db.session.commit()
    assert "Fashion Forward" in client.get("/en/search?q=slippers").get_data(as_text=True)


def test_the_profile_page_lists_similar_organisations(client, directory):
    page = client.get("/en/o/sewing-shop-00").get_data(as_text=True)
    similar = page[page.index("Similar organisations") :]
    assert 'href="/en/o/sewing-shop-' in similar
    assert 'href="/en/o/sewing-shop-00"' not in similar
    assert "Hidden Fashion" not in similar


def test_every_page_includes_the_autocomplete_script(client, directory):
    page = client.get("/en/").get_data(as_text=True)
    assert "js/autocomplete.js" in page
    assert 'data-suggest-url="/api/suggest"' in page


def test_the_page_says_which_words_matched_nothing_and_when_results_match_only_some(
    client, directory
):
    page = client.get("/en/search?q=sewing+weaver").get_data(as_text=True)
    assert "Nothing matched the word “weaver”." in page
    assert "Sewing Shop 00" in page
    assert "Did you mean" not in page  # a real word is never "corrected"
    mixed = client.get("/en/search?q=sewing+scanning").get_data(as_text=True)
    assert "No organisation matches all the words; these match some of them." in mixed
    assert "26 organisations" in mixed

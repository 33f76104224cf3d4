"""Did-you-mean is made from published text only (security review, item 7).

A draft named "Stealth velbkcfkpsium Labs" made /api/search?q=velbacfkpsium suggest its
unpublished word to anonymous visitors, on both engines.
"""

from __future__ import annotations

import pytest

from cluster.extensions import db
from cluster.search import SearchQuery, backend
from tests.factories import find_org, make_org

TYPO = "velbacfkpsium"
SECRET = "velbkcfkpsium"


def stealth(status: str):
    return make_org(
        f"Stealth {SECRET} Labs",
        slug="stealth",
        status=status,
        summary=f"Prototype of the {SECRET} sensor, not announced yet.",
    )


@pytest.fixture
def directory(search_app):
    make_org("Open Loom", summary="Weaving and textiles for small brands.")
    return search_app


def test_a_published_word_is_suggested_for_its_typo(directory):
    stealth("published")
    result = backend().search(SearchQuery(text=TYPO))
    assert result.suggestion == SECRET


@pytest.mark.parametrize("status", ["draft", "pending", "archived"])
def test_an_unpublished_word_is_never_suggested_to_visitors(directory, status):
    stealth(status)
    result = backend().search(SearchQuery(text=TYPO))
    assert result.suggestion is None
    assert result.hits == []
    body = directory.test_client().get(f"/api/search?q={TYPO}").get_json()
    assert body["suggestion"] is None
    assert SECRET not in str(body)


def test_a_word_leaves_the_suggestions_when_its_profile_is_archived(directory):
    stealth("published")
    assert backend().search(SearchQuery(text=TYPO)).suggestion == SECRET
    org = find_org("stealth")
    org.status = "archived"
    db.session.commit()
    result = backend().search(SearchQuery(text=TYPO))
    assert result.suggestion is None
    assert result.hits == []

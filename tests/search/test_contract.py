"""What every search engine promises, checked on each through real commits of real organisations."""

from __future__ import annotations

from datetime import datetime

import pytest

from cluster.extensions import db
from cluster.search import SearchQuery, backend, maintenance
from cluster.services.duplicates import likely_duplicates
from tests.factories import make_startup as make_org


@pytest.fixture
def catalogue(search_app):
    """A small bilingual directory, committed organisation by organisation."""
    make_org(
        "Atelier Nova",
        sectors=["fashiontech"],
        summary="Virtual fitting for fashion brands.",
        description="We build fashion software: body scanning and virtual try-on for shops.",
        capabilities=["3D body scanning"],
        looking_for=["investment"],
        stage="mvp",
        city="Moscow",
        created_at=datetime(2024, 1, 1),
    )
    make_org(
        "Калибр",
        slug="kalibr",
        kind="manufacturer",
        residency="partner",
        sectors=["textile"],
        summary="Текстильное производство полного цикла.",
        description="Швейный цех и трикотаж для брендов.",
        capabilities=["вязание полотна"],
        looking_for=["customers"],
        city="Иваново",
        created_at=datetime(2024, 2, 1),
    )
    make_org(
        "Print Works",
        kind="manufacturer",
        sectors=["digital-printing"],
        summary="Digital printing on natural textiles.",
        description="Sublimation and цифровая печать for labels. Inks <safe> & fast.",
        capabilities=["digital textile printing"],
        looking_for=["customers", "partners"],
        city="Moscow",
        created_at=datetime(2024, 3, 1),
    )
    make_org(
        "Pixel School",
        kind="education",
        sectors=["education", "animation"],
        summary="Courses in animation and 3D-печать.",
        programmes=[{"name": "Motion design", "level": "beginner"}],
        looking_for=["talent"],
        city="Saint Petersburg",
        created_at=datetime(2024, 4, 1),
    )
    make_org(
        "Steel Buttons",
        kind="manufacturer",
        sectors=["accessories"],
        summary="Precision metal buttons and buckles, made in small runs.",
        city="Tula",
        created_at=datetime(2024, 5, 1),
    )
    make_org(
        "Детская мода",
        slug="detskaya-moda",
        kind="company",
        summary="Одежда для детей из органического хлопка.",
        city="Иваново",
        created_at=datetime(2024, 6, 1),
    )
    make_org(
        "Zarya Studio", kind="company", summary="Brand films.", created_at=datetime(2024, 7, 1)
    )
    make_org("Hidden Draft", status="draft", summary="Fashion draft nobody may see.")
    make_org("Old Archive", status="archived", summary="Fashion archive, no longer listed.")
    return search_app


def find(text="", **options) -> list[str]:
    return [hit.name for hit in backend().search(SearchQuery(text=text, **options)).hits]


def test_english_words_find_their_other_forms(catalogue):
    assert "Print Works" in find("textile")
    assert "Atelier Nova" in find("scan")


def test_russian_words_find_their_other_forms(catalogue):
    assert "Калибр" in find("текстиль")
    assert "Калибр" in find("текстильное")
    assert "Print Works" in find("печать")


def test_a_russian_phrase_finds_profiles_with_only_some_of_its_words(catalogue):
    assert "Детская мода" in find("пошив одежды")


def test_a_typo_finds_the_intended_word_and_suggests_it(catalogue):
    result = backend().search(SearchQuery(text="fashon"))
    assert "Atelier Nova" in [hit.name for hit in result.hits]
    assert result.suggestion == "fashion"
    assert "Steel Buttons" in find("manufacturng")


def test_the_last_word_is_completed_while_typing(catalogue):
    assert "Atelier Nova" in find("fash")
    assert "Print Works" in find("digital prin")


def test_latin_and_cyrillic_spellings_meet(catalogue):
    assert find("Kalibr")[0] == "Калибр"
    assert find("Заря")[0] == "Zarya Studio"


def test_synonyms_join_the_clusters_jargon(catalogue):
    assert "Atelier Nova" in find("fashion tech")
    assert "Atelier Nova" in find("фэшн-тех")
    assert "Pixel School" in find("3D printing")


def test_snippets_mark_the_matches_and_escape_the_text(catalogue):
    hit = backend().search(SearchQuery(text="inks sublimation")).hits[0]
    assert hit.name == "Print Works"
    assert "<mark>" in hit.snippet and "ublimation</mark>" in hit.snippet
    # Stored text is never markup: escaped (or dropped), but never passed through.
    assert "<safe>" not in hit.snippet
    assert "&amp; fast" in hit.snippet


def test_an_empty_query_lists_every_published_organisation_with_facets(catalogue):
    result = backend().search(SearchQuery())
    assert result.total == 7
    assert result.facets["kind"] == {"manufacturer": 3, "company": 2, "startup": 1, "education": 1}
    assert result.facets["city"]["Moscow"] == 2
    assert result.facets["sector"]["textile"] == 1
    assert result.facets["looking_for"]["customers"] == 2
    assert result.facets["stage"] == {"mvp": 1}
    assert result.facets["residency"] == {"resident": 6, "partner": 1}


def test_values_of_one_facet_widen_and_facets_together_narrow(catalogue):
    one = backend().search(SearchQuery(filters={"kind": ["manufacturer"]}))
    assert one.total == 3
    either = backend().search(SearchQuery(filters={"kind": ["manufacturer", "education"]}))
    assert either.total == 4
    both = backend().search(SearchQuery(filters={"kind": ["manufacturer"], "city": ["Moscow"]}))
    assert [hit.name for hit in both.hits] == ["Print Works"]


def test_each_facet_counts_under_the_other_facets_selections_but_not_its_own(catalogue):
    result = backend().search(SearchQuery(filters={"kind": ["manufacturer"], "city": ["Moscow"]}))
    # kind counts: every kind in Moscow, so another kind can still be added
    assert result.facets["kind"] == {"manufacturer": 1, "startup": 1}
    # city counts: every city among manufacturers
    assert result.facets["city"] == {"Moscow": 1, "Tula": 1, "Иваново": 1}
    # other facets: only what both selections leave
    assert result.facets["looking_for"] == {"customers": 1, "partners": 1}


def test_facets_follow_the_words_searched(catalogue):
    result = backend().search(SearchQuery(text="fashion"))
    assert result.facets["kind"] == {"startup": 1}


def test_results_sort_by_name_and_by_newest(catalogue):
    names = find(sort="name")
    assert names == sorted(names, key=str.casefold)
    assert find(sort="newest")[:2] == ["Zarya Studio", "Детская мода"]


def test_results_come_in_pages(catalogue):
    first = backend().search(SearchQuery(sort="name", per_page=3, page=1))
    third = backend().search(SearchQuery(sort="name", per_page=3, page=3))
    beyond = backend().search(SearchQuery(sort="name", per_page=3, page=9))
    assert first.total == third.total == beyond.total == 7
    assert first.pages == 3
    assert len(first.hits) == 3 and len(third.hits) == 1
    assert beyond.hits == []
    everything = find(sort="name")
    assert [hit.name for hit in first.hits] + [hit.name for hit in third.hits] == (
        everything[:3] + everything[6:]
    )


def test_the_public_finds_only_published_organisations(catalogue):
    assert find("draft") == []
    assert find("archive") == []
    assert "Hidden Draft" not in find()
    staff = find("draft", statuses=("draft", "pending", "published", "archived"))
    assert staff == ["Hidden Draft"]


def test_suggestions_complete_published_names(catalogue):
    assert [s.name for s in backend().suggest("pri")] == ["Print Works"]
    assert [s.slug for s in backend().suggest("кал")] == ["kalibr"]
    assert backend().suggest("hidden") == []
    assert backend().suggest("") == []


def test_suggestions_are_published_names_with_a_word_starting_so_those_starting_so_first(
    search_app,
):
    for name in ["Textura", "Art Textiles", "Textile House", "Nova Texel Lab", "Tex"]:
        make_org(name, summary="Weaving.")
    make_org("Textile Secrets", status="draft", summary="Weaving.")
    make_org("Textile Past", status="archived", summary="Weaving.")
    make_org("Context Studio", summary="Textiles everywhere, but not in its name.")
    names = [item.name for item in backend().suggest("tex")]
    assert names == ["Tex", "Textile House", "Textura", "Art Textiles", "Nova Texel Lab"]
    assert [item.name for item in backend().suggest("textile h")] == ["Textile House"]
    assert [item.name for item in backend().suggest("Nova tex")] == ["Nova Texel Lab"]
    assert len(backend().suggest("tex", limit=2)) == 2


def test_similar_organisations_exclude_itself_and_the_unpublished(catalogue):
    from cluster.models import Organisation

    org = db.session.scalar(db.select(Organisation).where(Organisation.slug == "print-works"))
    similar = [hit.slug for hit in backend().similar(org)]
    assert similar
    assert "print-works" not in similar
    assert "hidden-draft" not in similar and "old-archive" not in similar


HOSTILE = [
    '"(unclosed',
    "fashion)",
    "[{<",
    "AND OR NOT",
    "NOT",
    "*",
    "fash*",
    "?",
    "foo:bar",
    "name:fashion",
    "x" * 10_000,
    "fashion " * 2_000,
    "a\x00b\x07c\x1b[31m",
    "\u202e\u200b\ufeff",
    "🙂🧵",
    "the of and",
    "и в на",
    "fashion текстиль Kalibr 3D-печать",
    "'; DROP TABLE organisations; --",
    "%_\\",
    "-fashion",
    "~fashon^2",
]


def test_anything_typed_is_answered(catalogue):
    # One catalogue for every text: each is a read, and building it costs more than the search.
    for text in HOSTILE:
        result = backend().search(SearchQuery(text=text))
        assert result.total >= 0, text
        backend().suggest(text)


def test_hostile_text_still_finds_the_words_around_it(catalogue):
    assert "Atelier Nova" in find('"fashion (software')
    assert "Atelier Nova" in find("🙂 fashion")
    assert "Atelier Nova" in find("name:fashion")


def test_a_query_of_stop_words_lists_everything(catalogue):
    assert backend().search(SearchQuery(text="the of and")).total == 7


def test_reindex_rebuilds_everything_and_agrees_with_the_database(catalogue):
    before = find("textile")
    count = maintenance.reindex()
    assert count == 9
    assert backend().count() == 9
    assert find("textile") == before
    assert maintenance.check().agree


def test_a_profiles_text_in_its_second_language_finds_it(search_app):
    make_org(
        "Pixel Loom",
        summary="Digital textile printing in small runs.",
        summary_alt="Цифровая печать на ткани малыми тиражами.",
    )
    assert find("тиражами") == ["Pixel Loom"]
    assert find("textile printing") == ["Pixel Loom"]


@pytest.mark.parametrize(
    ("text", "filters"),
    [("textile", {}), ("fashon", {}), ("печать", {}), ("", {"kind": ["manufacturer"]})],
)
def test_a_brief_search_ranks_the_same_hits_without_counting_or_marking(catalogue, text, filters):
    # The duplicate check reads only the ids: the same hits, in the same order, for less.
    full = backend().search(SearchQuery(text=text, filters=filters))
    brief = backend().search(SearchQuery(text=text, filters=filters, brief=True))
    assert [hit.id for hit in brief.hits] == [hit.id for hit in full.hits]
    assert brief.hits and brief.total == full.total
    assert brief.facets == {} and full.facets
    assert all("<mark>" not in hit.snippet for hit in brief.hits)


def test_a_brief_search_ranks_those_offering_what_the_words_name_first(search_app):
    # "Find a partner" ranks with brief searches: what is offered counts there as in a full one.
    seeker = make_org(
        "Needle Seekers",
        summary="Sewing, sewing and more sewing.",
        description="We look for sewing: the sewing of jackets, the sewing of coats.",
        needs=["sewing of jackets"],
    )
    provider = make_org("Quiet Stitch", kind="manufacturer", capabilities=["garment sewing"])
    assert "garment-sewing" in provider.offers and "garment-sewing" not in seeker.offers
    for brief in (False, True):
        hits = backend().search(SearchQuery(text="sewing", brief=brief)).hits
        assert [hit.id for hit in hits] == [provider.id, seeker.id], brief


def test_the_duplicate_check_finds_a_name_naming_a_capability_among_many_offering_it(
    search_app,
):
    # A search puts those offering what its words name first; comparing names, the check's
    # search ranks by the words alone, or a dozen workshops offering sewing hide the duplicate.
    for number in range(12):
        make_org(f"Workshop {number}", kind="manufacturer", capabilities=["garment sewing"])
    make_org("Kazan Sewing", kind="manufacturer")
    # No one is all of "Kazan", "sewing" and "atelier": those having any word are ranked.
    make_org("Atelier Nine", summary="Fashion design.")
    found = likely_duplicates({"name": "Kazan Sewing Atelier"})
    assert [org.slug for org, _reason in found] == ["kazan-sewing"]

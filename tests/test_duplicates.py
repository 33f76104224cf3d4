"""Likely duplicates: close names (in either alphabet), the same website, e-mail or phone."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from cluster.extensions import db
from cluster.models import Organisation
from cluster.services.duplicates import (
    DuplicateFinder,
    likely_duplicates,
    normalise_name,
    phone_key,
    website_key,
)


@pytest.fixture
def existing(app):
    with app.app_context():
        orgs = [
            Organisation(slug="kalibr", name="Калибр", kind="manufacturer", status="published"),
            Organisation(
                slug="nord-textile-lab",
                name="Nord Textile Lab",
                kind="company",
                website="https://www.nordtextile.ru/about",
                email="Hello@NordTextile.ru",
                phone="+7 (495) 123-45-67",
            ),
            Organisation(
                slug="studio-pixel",
                name="Studio Pixel",
                kind="company",
                website="https://vk.com/studiopixel",
            ),
        ]
        db.session.add_all(orgs)
        db.session.commit()
        yield {org.slug: org.id for org in orgs}


def slugs(found):
    return [org.slug for org, _reason in found]


def test_transliterated_name_matches_the_cyrillic_one(app, existing):
    with app.app_context():
        found = likely_duplicates({"name": "Kalibr"})
        assert slugs(found) == ["kalibr"]
        assert "similar name" in found[0][1]


def test_name_with_a_typo_and_legal_form_matches(app, existing):
    with app.app_context():
        assert slugs(likely_duplicates({"name": "ООО «Калибрь»"})) == ["kalibr"]
        assert slugs(likely_duplicates({"name": "Nord Textil Lab LLC"})) == ["nord-textile-lab"]


def test_name_inside_a_longer_name_matches_but_one_common_word_does_not(app, existing):
    with app.app_context():
        assert slugs(likely_duplicates({"name": "Nord Textile"})) == ["nord-textile-lab"]
        assert likely_duplicates({"name": "Studio"}) == []
        assert likely_duplicates({"name": "Textile Printing Works"}) == []


def test_second_language_name_is_compared_too(app, existing):
    with app.app_context():
        found = likely_duplicates({"name": "Gauge Works", "name_alt": "Калибр"})
        assert slugs(found) == ["kalibr"]


def test_same_website_host_matches_whatever_the_path(app, existing):
    with app.app_context():
        found = likely_duplicates({"name": "Totally Different", "website": "http://nordtextile.ru"})
        assert slugs(found) == ["nord-textile-lab"]
        assert "same website (nordtextile.ru)" in found[0][1]


def test_shared_hosts_compare_the_page_not_the_host(app, existing):
    with app.app_context():
        assert likely_duplicates({"name": "Other", "website": "https://vk.com/someoneelse"}) == []
        found = likely_duplicates({"name": "Other", "website": "vk.com/studiopixel/"})
        assert slugs(found) == ["studio-pixel"]


def test_same_email_matches_in_any_letter_case(app, existing):
    with app.app_context():
        found = likely_duplicates({"name": "Other", "email": " hello@nordtextile.RU "})
        assert slugs(found) == ["nord-textile-lab"]
        assert "same e-mail" in found[0][1]


def test_same_phone_digits_match_in_any_notation(app, existing):
    with app.app_context():
        found = likely_duplicates({"name": "Other", "phone": "8 495 123 45 67"})
        assert slugs(found) == ["nord-textile-lab"]
        assert "same phone number" in found[0][1]
        assert likely_duplicates({"name": "Other", "phone": "8 495 123 45 68"}) == []


def test_several_reasons_are_listed_together_and_rank_first(app, existing):
    with app.app_context():
        found = likely_duplicates(
            {"name": "Kalibr", "email": "hello@nordtextile.ru", "website": "nordtextile.ru"}
        )
        assert slugs(found) == ["nord-textile-lab", "kalibr"]
        assert (
            found[0][1]
            == "the same website (nordtextile.ru), the same e-mail (hello@nordtextile.ru)"
        )


def test_the_organisation_being_edited_is_not_its_own_duplicate(app, existing):
    with app.app_context():
        assert likely_duplicates({"name": "Калибр"}, exclude_id=existing["kalibr"]) == []


def test_unrelated_record_and_empty_values_find_nothing(app, existing):
    with app.app_context():
        assert likely_duplicates({"name": "Moscow Animation School"}) == []
        assert likely_duplicates({"name": "", "website": "", "email": "", "phone": "12"}) == []


def test_one_finder_checks_many_records(app, existing):
    with app.app_context():
        finder = DuplicateFinder.load()
        assert slugs(finder.find({"name": "Kalibr"})) == ["kalibr"]
        assert slugs(finder.find({"name": "Studio Pixel"})) == ["studio-pixel"]


def test_keys_normalise_what_people_type():
    assert normalise_name("ООО «Калибр»") == normalise_name("Kalibr LLC") == "kalibr"
    assert website_key("https://WWW.Example.com:8080/x?y") == "example.com"
    assert website_key("not a url") == ""
    assert website_key("http://[::1") == ""
    assert phone_key("+7 (495) 123-45-67") == phone_key("8-495-123-45-67")
    assert phone_key("12-34") == ""


def test_staff_create_warns_of_a_likely_duplicate_before_saving(app, client, staff, existing):
    staff.login()
    form = {"name": "Kalibr", "kind": "manufacturer", "residency": "resident", "status": "draft"}
    response = staff.post("/en/staff/organisations/new", data=form)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This may already be in the directory" in page
    assert 'href="/en/staff/organisations/kalibr/edit"' in page
    assert 'name="confirm_duplicate"' in page
    assert 'value="Kalibr"' in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == 3

    response = staff.post("/en/staff/organisations/new", data=form | {"confirm_duplicate": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(sa.select(Organisation).filter_by(slug="kalibr-2")).name == "Kalibr"
        )


def test_staff_create_without_a_likely_duplicate_saves_at_once(app, client, staff, existing):
    staff.login()
    form = {"name": "Vela School", "kind": "education", "residency": "resident", "status": "draft"}
    assert staff.post("/en/staff/organisations/new", data=form).status_code == 302

"""The public submission form guides: required fields marked, every error at once, residency
chosen, the chosen kind's section right after the identity."""

from __future__ import annotations

import re

from tests.factories import count_orgs
from tests.helpers import StaffSession


def token(app, client) -> str:
    return StaffSession(app, client).csrf_token("/en/submit")


def field_errors(page: str) -> dict[str, str]:
    """Each field's error message by the field's id."""
    return dict(re.findall(r'<p class="field-error" id="([\w-]+)-error">(.*?)</p>', page))


def test_required_fields_are_marked_and_residency_is_not_preselected(client):
    page = client.get("/en/submit").get_data(as_text=True)
    for name in ("name", "kind", "residency"):
        assert re.search(
            rf'<label for="{name}">[^<]+ <span class="field-required">required</span></label>', page
        ), name
    assert '<label for="name_alt">Name in the second language</label>' in page
    residency = re.search(r'<select id="residency".*?</select>', page, re.DOTALL)
    assert residency
    assert residency.group().count("<option") == 3
    assert '<option value="">Choose one</option>' in residency.group()
    assert "selected" not in residency.group()


def test_an_empty_submission_reports_every_problem_at_once(app, client):
    response = client.post("/en/submit", data={"csrf_token": token(app, client)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors = field_errors(page)
    assert set(errors) >= {"name", "kind", "residency"}
    assert "Please correct 3 fields" in page
    # One message per problem, even when the form and the record's checks both find it.
    assert all(message.count("required") == 1 for message in errors.values())
    with app.app_context():
        assert count_orgs() == 0


def test_errors_of_the_record_come_with_those_of_the_form(app, client):
    data = {
        "csrf_token": token(app, client),
        "kind": "startup",
        "residency": "partner",
        "website": "ftp://files.example",
        "funding_sought": "a lot",
    }
    page = client.post("/en/submit", data=data).get_data(as_text=True)
    errors = field_errors(page)
    # The missing name (the form's check) and the bad address and amount (the record's) together.
    assert {"name", "website", "funding_sought"} <= set(errors)


def test_the_kind_sections_follow_the_identity(client):
    page = client.get("/en/submit").get_data(as_text=True)
    legends = re.findall(r'<fieldset class="org-fieldset"(?: data-kind="(\w+)")?>', page)
    assert legends[0] == ""  # the identity, with the kind select
    kinds = [kind for kind in legends[1:] if kind]
    assert kinds and legends[1 : 1 + len(kinds)] == kinds
    assert "js/forms.js" in page


FOLD = r'<details class="(?:field-more|org-fieldset org-fold)"( open)?>(.*?)</details>'


def folds(page: str) -> list[tuple[bool, str]]:
    """Each group of folded fields: whether it is open, and its HTML."""
    return [(bool(is_open), body) for is_open, body in re.findall(FOLD, page, re.DOTALL)]


def test_optional_fields_fold_away_and_the_rest_stays_in_view(client):
    page = client.get("/en/submit").get_data(as_text=True)
    folded = folds(page)
    assert folded and not any(is_open for is_open, _ in folded)
    inside = "".join(body for _, body in folded)
    in_view = re.sub(FOLD, "", page, flags=re.DOTALL)
    for name in ("name_alt", "summary_alt", "description_alt", "tags", "capabilities",
                 "founded_year", "city", "unit", "phone", "social_links"):  # fmt: skip
        assert f'id="{name}"' in inside and f'id="{name}"' not in in_view, name
    # The required fields, every kind's own and the most useful ones are never folded.
    for name in ("name", "kind", "residency", "summary", "description", "sectors", "website",
                 "email", "stage", "equipment", "programmes", "ticket_min"):  # fmt: skip
        assert f'id="{name}"' in in_view, name
    # Each fold names what it holds, so nobody has to open it to find out.
    assert '<span class="muted">(optional): Founded (year), Team size</span>' in page
    assert "More, optional: Phone, Social links" in page


def test_a_fold_holding_a_value_or_an_error_opens_by_itself(app, client):
    data = {
        "csrf_token": token(app, client),
        "summary_alt": "Пошив малых партий.",
        "founded_year": "next year",
    }
    page = client.post("/en/submit", data=data).get_data(as_text=True)
    opened = [body for is_open, body in folds(page) if is_open]
    assert len(opened) == 2
    assert 'id="summary_alt"' in opened[0] and "Пошив малых партий." in opened[0]
    assert 'id="founded_year-error"' in opened[1]
    # Folds holding nothing stay closed.
    assert any(not is_open and 'id="city"' in body for is_open, body in folds(page))

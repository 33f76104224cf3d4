"""Introductions: a visitor asks, staff forward or decline; bad input is refused, kept nowhere."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from cluster.extensions import db
from cluster.introduction_model import Introduction
from cluster.models import AuditEntry
from tests.factories import find_org, make_org
from tests.servers import MAIL_HEADERS, smtp_server

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PAGE = "/en/o/bluewharf-sewing/introduce"
ENCODED_HEADERS = "=?UTF-8?Q?Ann=0D=0ABcc:_victim@example.org=0D=0AReply-To:_x@evil.example?="


@pytest.fixture
def smtp(app):
    """A real SMTP server in a thread, and the app configured to send through it."""
    with smtp_server(app, "desk@park.example") as sink:
        yield sink


@pytest.fixture
def factory(app):
    with app.app_context():
        make_org("Bluewharf Sewing", kind="manufacturer", email="orders@bluewharf.example")
        make_org("No Address Studio", email="")
        make_org("Hidden Draft", status="draft")


def request_form(client, **fields) -> dict:
    data = {
        "name": "Ann Founder",
        "email": "ann@jackets.example",
        "company": "Northbound Outerwear",
        "purpose": "We need 300 jackets sewn this spring and would like to talk.",
        "csrf_token": CSRF.search(client.get(PAGE).get_data(as_text=True)).group(1),
    }
    data.update(fields)
    return data


def stored(app) -> list[Introduction]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Introduction).order_by(Introduction.id)))


def audit(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))
        return [(e.action, e.target, e.detail) for e in entries if "introduction" in e.action]


def test_any_profile_offers_an_introduction_and_a_request_waits_for_staff(
    app, client, factory, smtp
):
    profile = client.get("/en/o/bluewharf-sewing").get_data(as_text=True)
    assert f'href="{PAGE}"' in profile and "Ask the technopark to introduce you" in profile
    response = client.post(PAGE, data=request_form(client))
    assert response.status_code == 303 and response.location.endswith(PAGE + "/thanks")
    assert "We have received your request" in client.get(PAGE + "/thanks").get_data(as_text=True)
    [kept] = stored(app)
    assert (kept.name, kept.email, kept.company, kept.status) == (
        "Ann Founder", "ann@jackets.example", "Northbound Outerwear", "new",
    )  # fmt: skip
    assert kept.organisation_name == "Bluewharf Sewing" and kept.locale == "en"
    # Nothing goes to the organisation before staff forward it.
    assert smtp.envelopes == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "", "email": "", "purpose": ""}, "Required"),
        ({"email": "not an address"}, "Not a valid e-mail address"),
        ({"name": "Ann\r\nBcc: victim@example.org"}, "Must be one line"),
        ({"name": ENCODED_HEADERS}, "May not contain “=?” or “?=”"),
        ({"company": "Co\nReply-To: x@evil.example"}, "Must be one line"),
        ({"purpose": "x" * 2001}, "Field cannot be longer than 2000 characters."),
        ({"name": "A" * 121}, "Field cannot be longer than 120 characters."),
    ],
)
def test_bad_input_is_answered_clearly_and_nothing_is_kept_or_sent(
    app, client, factory, smtp, fields, message
):
    response = client.post(PAGE, data=request_form(client, **fields))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored(app) == [] and smtp.envelopes == []


@pytest.mark.parametrize("name", ["name", "email", "company", "purpose"])
def test_a_ten_megabyte_field_is_refused_clearly(app, client, factory, smtp, name):
    response = client.post(PAGE, data=request_form(client, **{name: "x" * 10 * 1024 * 1024}))
    assert response.status_code in (413, 422)
    page = response.get_data(as_text=True)
    assert "Field cannot be longer than" in page or "too large" in page
    assert stored(app) == [] and smtp.envelopes == []


def test_without_the_csrf_token_nothing_is_kept(app, client, factory):
    data = request_form(client)
    del data["csrf_token"]
    assert client.post(PAGE, data=data).status_code == 400
    assert stored(app) == []


def test_a_filled_honeypot_looks_accepted_but_nothing_is_kept(app, client, factory, smtp):
    response = client.post(PAGE, data=request_form(client, homepage="https://spam.example"))
    assert response.status_code == 303
    assert stored(app) == [] and smtp.envelopes == []


def test_the_sixth_request_in_an_hour_gets_a_clear_429(app, client, factory):
    for _ in range(5):
        assert client.post(PAGE, data=request_form(client)).status_code == 303
    response = client.post(PAGE, data=request_form(client))
    assert response.status_code == 429
    assert "several requests for introductions" in response.get_data(as_text=True)
    assert len(stored(app)) == 5


def test_no_request_for_an_unpublished_or_unknown_organisation(client, factory):
    assert client.get("/en/o/hidden-draft/introduce").status_code == 404
    assert client.get("/en/o/nobody/introduce").status_code == 404


def ask(client, **fields) -> int:
    assert client.post(PAGE, data=request_form(client, **fields)).status_code == 303
    return 1


def test_staff_forward_a_request_by_mail_with_no_typed_text_in_a_header(
    app, client, staff, factory, smtp
):
    injected = "Ask me.\n" + ENCODED_HEADERS
    ask(client, purpose=injected)
    [kept] = stored(app)
    staff.login()
    dashboard = client.get("/en/staff/").get_data(as_text=True)
    assert '1</span> <span class="stat-label">new request for an introduction' in dashboard
    queue = client.get("/en/staff/introductions").get_data(as_text=True)
    assert "Ann Founder would like to meet Bluewharf Sewing" in queue
    response = staff.post(f"/en/staff/introductions/{kept.id}/forward", follow_redirects=True)
    assert "The request was e-mailed to orders@bluewharf.example" in response.get_data(as_text=True)
    [envelope] = smtp.envelopes
    assert envelope.rcpt_tos == ["orders@bluewharf.example"]
    message = message_from_bytes(envelope.original_content, policy=policy.default)
    assert [name for name in message if name != "MIME-Version"] == MAIL_HEADERS
    assert message["Bcc"] is None and message["Reply-To"] is None
    for header in ("From", "To", "Subject"):
        assert "Ann" not in str(message[header]) and "jackets" not in str(message[header])
    body = message.get_content()
    assert "Ann Founder" in body and "ann@jackets.example" in body and ENCODED_HEADERS in body
    [forwarded] = stored(app)
    assert (forwarded.status, forwarded.forwarded_to) == ("forwarded", "orders@bluewharf.example")
    [(action, target, detail)] = audit(app)
    assert action == "introduction-forward" and target == "organisation:bluewharf-sewing"
    assert "ann@jackets.example" in detail and "sent" in detail
    # Forwarded once only.
    again = staff.post(f"/en/staff/introductions/{kept.id}/forward", follow_redirects=True)
    assert "already forwarded" in again.get_data(as_text=True) and len(smtp.envelopes) == 1


def test_without_a_mail_server_staff_get_the_mail_to_copy(app, client, staff, factory):
    ask(client)
    [kept] = stored(app)
    staff.login()
    response = staff.post(f"/en/staff/introductions/{kept.id}/forward", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "No mail server is configured: copy the mail below" in page
    assert "orders@bluewharf.example" in page and "We need 300 jackets sewn" in page
    assert stored(app)[0].status == "forwarded"
    assert [entry[0] for entry in audit(app)] == ["introduction-forward"]


def test_staff_decline_with_a_note_and_nothing_is_sent(app, client, staff, factory, smtp):
    ask(client)
    [kept] = stored(app)
    staff.login()
    empty = staff.post(f"/en/staff/introductions/{kept.id}/decline", data={"note": " "},
                       follow_redirects=True)  # fmt: skip
    assert "Write why the request is declined." in empty.get_data(as_text=True)
    assert stored(app)[0].status == "new"
    response = staff.post(
        f"/en/staff/introductions/{kept.id}/decline",
        data={"note": "They do not take orders under 500."},
        follow_redirects=True,
    )
    assert "The request from Ann Founder was declined." in response.get_data(as_text=True)
    [declined] = stored(app)
    assert (declined.status, declined.note) == ("declined", "They do not take orders under 500.")
    [(action, target, detail)] = audit(app)
    assert action == "introduction-decline" and "orders under 500" in detail
    assert smtp.envelopes == []
    listed = client.get("/en/staff/introductions?status=declined").get_data(as_text=True)
    assert "They do not take orders under 500." in listed


def test_an_organisation_without_an_address_cannot_be_forwarded_to(app, client, staff, factory):
    page = "/en/o/no-address-studio/introduce"
    token = CSRF.search(client.get(page).get_data(as_text=True)).group(1)
    data = request_form(client, csrf_token=token)
    assert client.post(page, data=data).status_code == 303
    [kept] = stored(app)
    staff.login()
    response = staff.post(f"/en/staff/introductions/{kept.id}/forward", follow_redirects=True)
    assert "has no e-mail address" in response.get_data(as_text=True)
    assert stored(app)[0].status == "new" and audit(app) == []


def test_the_queue_is_for_staff_only(client, factory):
    assert client.get("/en/staff/introductions").status_code in (302, 401, 403)
    assert client.post("/en/staff/introductions/1/forward").status_code in (302, 400, 401, 403)


def test_a_request_outlives_its_organisation(app, client, staff, factory):
    ask(client)
    with app.app_context():
        db.session.delete(find_org("bluewharf-sewing"))
        db.session.commit()
    [kept] = stored(app)
    assert kept.organisation_id is None and kept.organisation_name == "Bluewharf Sewing"
    staff.login()
    queue = client.get("/en/staff/introductions")
    assert queue.status_code == 200
    assert "Ann Founder would like to meet Bluewharf Sewing" in queue.get_data(as_text=True)
    response = staff.post(f"/en/staff/introductions/{kept.id}/forward", follow_redirects=True)
    assert "Bluewharf Sewing has no e-mail address" in response.get_data(as_text=True)

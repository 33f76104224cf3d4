"""The "sent back" mail: what a real SMTP server receives, parsed with the email package."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from cluster.services import mail
from cluster.services.slugs import slugify_name
from tests.factories import find_org
from tests.servers import MAIL_HEADERS, free_port, smtp_server
from tests.test_submissions import submission

HEADER_INJECTION = (
    "=?UTF-8?Q?Studio=0D=0AReply-To:_attacker@evil.example=0D=0ABcc:_victim2@example.org?="
)
BODY_INJECTION = "=?UTF-8?Q?Studio=0D=0AContent-Type:_text/html=0D=0A=0D=0A<h1>Win</h1>?="


@pytest.fixture
def smtp(app):
    """A real SMTP server in a thread, and the app configured to send through it."""
    with smtp_server(app, "desk@technopark.example") as sink:
        yield sink


def send_back(client, staff, name, email="hello@loomneedle.example", note="Add your address."):
    """Submit a listing publicly under this name, then send it back as staff; the final page."""
    assert (
        client.post("/en/submit", data=submission(client, name=name, email=email)).status_code
        == 303
    )
    staff.login()
    slug = slugify_name(name) or "organisation"
    response = staff.post(
        f"/en/staff/moderation/{slug}/send-back", data={"note": note}, follow_redirects=True
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def received(sink):
    [envelope] = sink.envelopes
    return envelope, message_from_bytes(envelope.original_content, policy=policy.default)


def test_an_encoded_name_adds_no_header_to_the_mail(app, client, staff, smtp):
    page = send_back(client, staff, HEADER_INJECTION)
    assert "The note was e-mailed to hello@loomneedle.example" in page
    envelope, message = received(smtp)
    assert envelope.rcpt_tos == ["hello@loomneedle.example"]
    assert [name for name in message if name != "MIME-Version"] == MAIL_HEADERS
    assert message["Reply-To"] is None and message["Bcc"] is None
    assert "\n" not in str(message["Subject"]) and "\r" not in str(message["Subject"])
    # The name is there as text to read, not as headers.
    assert "Reply-To:_attacker@evil.example" in str(message["Subject"])


def test_an_encoded_name_cannot_change_the_body_of_the_mail(app, client, staff, smtp):
    send_back(client, staff, BODY_INJECTION)
    _envelope, message = received(smtp)
    assert not message.is_multipart()
    assert message.get_content_type() == "text/plain"
    body = message.get_content()
    assert "Add your address." in body and body.startswith("Hello,")


def test_an_address_with_a_cyrillic_domain_is_sent_in_its_ascii_form(app, client, staff, smtp):
    page = send_back(client, staff, "Loom & Needle", email="info@пример.рф")
    assert "The note was e-mailed to info@пример.рф" in page
    envelope, message = received(smtp)
    assert envelope.rcpt_tos == ["info@xn--e1afmkfd.xn--p1ai"]
    assert str(message["To"]) == "info@xn--e1afmkfd.xn--p1ai"


def test_a_mail_server_that_fails_is_reported_as_such_with_the_note_to_copy(app, client, staff):
    # Nothing listens on this port: the connection is refused.
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    page = send_back(client, staff, "Loom & Needle", note="Please add your floor.")
    assert "The note could not be e-mailed to hello@loomneedle.example" in page
    assert "No mail server is configured" not in page
    assert "Please add your floor." in page
    assert "about your listing Loom &amp; Needle" in page
    assert find_org("loom-needle", app=app).status == "pending"


def test_without_a_mail_server_staff_get_the_note_to_copy(app, client, staff):
    page = send_back(client, staff, "Loom & Needle", note="Please add your floor.")
    assert "No mail server is configured" in page
    assert "<textarea" in page and "Please add your floor." in page
    assert "about your listing Loom &amp; Needle" in page
    assert "hello@loomneedle.example" in page


@pytest.mark.parametrize(
    "subject",
    ["Hi\r\nBcc: victim@example.org", "Hi\nBcc: victim@example.org", HEADER_INJECTION, "a\x00b"],
)
def test_no_subject_adds_a_header_to_the_generated_message(app, subject):
    with app.test_request_context():
        message = mail.compose("hello@loomneedle.example", subject, "Body")
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert [name for name in parsed if name != "MIME-Version"] == MAIL_HEADERS
    assert parsed["Bcc"] is None and parsed["Reply-To"] is None


@pytest.mark.parametrize(
    "to", ["a@b.example\r\nBcc: victim@example.org", "a@b.example, c@d.example"]
)
def test_an_address_that_is_not_one_plain_address_is_refused(app, to):
    with app.test_request_context(), pytest.raises(mail.UnsafeMessage):
        mail.compose(to, "Subject", "Body")


def test_the_mail_is_written_in_the_language_the_submission_was_sent_in(app, client, staff, smtp):
    # Sent from the Russian form, sent back from the English staff pages: the mail is Russian.
    data = submission(client, name="Ткацкая мастерская")
    assert client.post("/ru/submit", data=data).status_code == 303
    staff.login()
    slug = slugify_name("Ткацкая мастерская")
    staff.post(f"/en/staff/moderation/{slug}/send-back", data={"note": "Укажите этаж."})
    _envelope, message = received(smtp)
    assert str(message["Subject"]) == (
        "Технопарк «Челнок и Пиксель»: о вашей карточке «Ткацкая мастерская»"
    )
    body = message.get_content()
    assert body.startswith("Здравствуйте!") and "Укажите этаж." in body


def test_a_submission_sent_in_english_gets_its_mail_in_english(app, client, staff, smtp):
    send_back(client, staff, "Loom & Needle", note="Please add your floor.")
    _envelope, message = received(smtp)
    assert str(message["Subject"]) == (
        "Shuttle & Pixel Technopark: about your listing Loom & Needle"
    )
    assert message.get_content().startswith("Hello,")

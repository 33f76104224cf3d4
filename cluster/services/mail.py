"""Outgoing mail: a plain-text message whose headers no typed text can add to or change.

Python's email package decodes RFC 2047 encoded words in a header value it is given and folds
any line break they decode to into the generated header: a name such as
`=?UTF-8?Q?x=0D=0ABcc:_y@example.org?=` in a subject became a real Bcc header. Stripping raw
CR and LF from the input does not help, so header text is made inert here (control characters
become spaces, "=?" never reaches the parser whole), and every message is parsed back before
it is sent: one whose headers are not exactly the ones set is refused.
"""

from __future__ import annotations

import enum
import logging
import smtplib
import unicodedata
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _

log = logging.getLogger(__name__)

# Between "=" and "?": invisible, and no encoded word starts with it.
WORD_JOINER = "\u2060"
HEADERS = ("From", "To", "Subject")


class Outcome(enum.Enum):
    SENT = "sent"
    NOT_CONFIGURED = "not-configured"
    FAILED = "failed"


@dataclass
class Delivery:
    """What became of a message: sent, not sent for want of a server, or failed and why."""

    outcome: Outcome
    reason: str = ""

    @property
    def sent(self) -> bool:
        return self.outcome is Outcome.SENT


class UnsafeMessage(ValueError):
    """The message, parsed back, has headers other than the ones it was given."""


def header_text(text: str) -> str:
    """Text that stays one header value: no control characters, no encoded-word opener."""
    cleaned = "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)
    return " ".join(cleaned.split()).replace("=?", "=" + WORD_JOINER + "?")


def address(email: str) -> str:
    """The address as SMTP carries it: an internationalised domain in its ASCII (IDNA) form.

    A local part outside ASCII stays as it is (smtplib then asks the server for SMTPUTF8).
    Raises UnsafeMessage for anything that is not one plain address.
    """
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise UnsafeMessage(str(error)) from None
    return f"{checked.local_part}@{checked.ascii_domain}"


def sender() -> str:
    config = current_app.config
    return config.get("MAIL_SENDER") or f"noreply@{config.get('SERVER_NAME') or 'localhost'}"


def compose(to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message, checked by parsing it back (UnsafeMessage when it differs)."""
    message = EmailMessage()
    wanted = {"From": header_text(sender()), "To": address(to), "Subject": header_text(subject)}
    for name in HEADERS:
        message[name] = wanted[name]
    message.set_content(body)
    check(message, wanted)
    return message


def check(message: EmailMessage, wanted: dict[str, str]) -> None:
    """Parse the generated message and compare its headers and body type with what was set."""
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    names = [name.casefold() for name in parsed]
    expected = [name.casefold() for name in message]
    if names != expected or parsed.is_multipart() or parsed.get_content_type() != "text/plain":
        raise UnsafeMessage(f"headers {parsed.keys()} instead of {message.keys()}")
    for name, value in wanted.items():
        if str(parsed[name]) != value:
            raise UnsafeMessage(f"{name} reads {str(parsed[name])!r}, not {value!r}")


def send(to: str, subject: str, body: str) -> Delivery:
    """Compose and send through MAIL_SERVER; without one, log it. Say what happened."""
    try:
        message = compose(to, subject, body)
    except UnsafeMessage as error:
        log.warning("Refused to send a message to %r: %s", to, error)
        return Delivery(
            Outcome.FAILED, _("the message could not be made safely (%(error)s)", error=error)
        )
    config = current_app.config
    server = config.get("MAIL_SERVER")
    if not server:
        log.info("No MAIL_SERVER configured; message not sent:\n%s", message)
        return Delivery(Outcome.NOT_CONFIGURED)
    try:
        with smtplib.SMTP(server, int(config.get("MAIL_PORT") or 25), timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException, UnicodeError) as error:
        log.exception("Could not send the message to %s through %s:\n%s", to, server, message)
        return Delivery(Outcome.FAILED, str(error) or type(error).__name__)
    return Delivery(Outcome.SENT)

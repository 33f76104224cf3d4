"""Introductions: a visitor's request to meet an organisation, and staff forwarding or declining it.

Nothing reaches the organisation until staff forward the request. The forwarded mail's headers
carry only the organisation's address and a fixed subject: what the visitor typed goes in the
body, after services/mail.py has checked the generated headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_babel import gettext as _

from ..extensions import db
from ..i18n import lang, site_name
from ..introduction_model import INTRODUCTION_STATUSES, Introduction
from ..models import Organisation, User, utcnow
from . import audit, mail, parsers
from .contacts import email as email_parser

NAME_MAX = 120
COMPANY_MAX = 200
EMAIL_MAX = 254
PURPOSE_MAX = 2000
# Typed into a name, these would only ever serve to forge a mail header.
HEADER_TRICKS = ("=?", "?=")


class IntroductionError(ValueError):
    """A staff action that cannot be done to this request (already decided, no address)."""


def _line(value: Any, limit: int, required: bool) -> str:
    raw = parsers.as_text(value)
    if any(char in raw for char in "\r\n\x0b\x0c\x85\u2028\u2029"):
        raise parsers.Invalid(_("must be one line"))
    text = parsers.check_length(parsers.clean_line(raw), limit)
    if required and not text:
        raise parsers.Invalid(_("required"))
    if any(trick in text for trick in HEADER_TRICKS):
        raise parsers.Invalid(_("may not contain “=?” or “?=”"))
    return text


def parse_request(raw: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Clean a visitor's request; return the values and a message for each field that is wrong."""
    checks = {
        "name": lambda value: _line(value, NAME_MAX, required=True),
        "company": lambda value: _line(value, COMPANY_MAX, required=False),
        "email": email_parser(EMAIL_MAX),
        "purpose": parsers.multiline(PURPOSE_MAX),
    }
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, check in checks.items():
        try:
            values[name] = check(raw.get(name))
        except parsers.Invalid as error:
            errors[name] = str(error)
    for name in ("email", "purpose"):
        if name not in errors and not values.get(name):
            errors[name] = _("required")
    return values, errors


def ask(org: Organisation, values: Mapping[str, str]) -> Introduction:
    """Store a visitor's request as new, for staff (the caller commits); nothing is sent."""
    introduction = Introduction(
        organisation=org,
        organisation_name=org.name,
        name=values["name"],
        email=values["email"],
        company=values.get("company", ""),
        purpose=values["purpose"],
        locale=lang(),
        ip=(request.remote_addr or "")[:64] if has_request_context() else "",
    )
    db.session.add(introduction)
    return introduction


def queue(status: str) -> list[Introduction]:
    """The requests of one status, oldest new one first, newest decision first otherwise."""
    stmt = sa.select(Introduction).where(Introduction.status == status)
    if status == "new":
        stmt = stmt.order_by(Introduction.created_at, Introduction.id)
    else:
        stmt = stmt.order_by(Introduction.decided_at.desc(), Introduction.id.desc())
    return list(db.session.scalars(stmt.limit(500)))


def counts() -> dict[str, int]:
    """How many requests there are of each status."""
    rows = db.session.execute(
        sa.select(Introduction.status, sa.func.count()).group_by(Introduction.status)
    )
    found = dict(rows.all())
    return {status: int(found.get(status, 0)) for status in INTRODUCTION_STATUSES}


@dataclass
class ForwardMail:
    to: str
    subject: str
    body: str


def forward_mail(introduction: Introduction) -> ForwardMail:
    """The mail that forwards a request: the visitor's words in the body only."""
    site = site_name()
    org = introduction.organisation
    lines = [
        _("Hello,"),
        "",
        _(
            "Someone asked %(site)s to introduce them to %(organisation)s. We pass the request on "
            "as it was written; reply to them directly if you would like to meet.",
            site=site,
            organisation=introduction.organisation_name,
        ),
        "",
        _("Name: %(value)s", value=introduction.name),
        _("Organisation: %(value)s", value=introduction.company or "—"),
        _("E-mail: %(value)s", value=introduction.email),
        "",
        _("What for:"),
        introduction.purpose,
        "",
        "— " + site,
    ]
    return ForwardMail(
        to=(org.email if org is not None else "") or introduction.forwarded_to,
        subject=_("A request for an introduction through %(site)s", site=site),
        body="\n".join(lines),
    )


def _decided(introduction: Introduction, status: str, user: User) -> None:
    if introduction.status != "new":
        raise IntroductionError(
            _("This request was already %(status)s.", status=introduction.status_label.lower())
        )
    introduction.status = status
    introduction.decided_at = utcnow()
    introduction.decided_by_id = user.id


def forward(introduction: Introduction, user: User) -> mail.Delivery:
    """Send the request to the organisation's e-mail and mark it forwarded (the caller commits).

    Without a mail server, or when sending failed, it is still marked forwarded: staff get the
    mail on a page to copy and send themselves.
    """
    org = introduction.organisation
    if org is None or not org.email:
        raise IntroductionError(
            _("%(name)s has no e-mail address: contact them another way.",
              name=introduction.organisation_name)
        )  # fmt: skip
    _decided(introduction, "forwarded", user)
    introduction.forwarded_to = org.email
    message = forward_mail(introduction)
    delivery = mail.send(message.to, message.subject, message.body)
    audit.log(
        "introduction-forward",
        org,
        _("Request %(id)s from %(email)s: %(outcome)s",
          id=introduction.id, email=introduction.email, outcome=delivery.outcome.value),
        user=user,
    )  # fmt: skip
    return delivery


def decline(introduction: Introduction, user: User, note: str) -> None:
    """Mark a request declined with staff's note (the caller commits); nothing is sent."""
    _decided(introduction, "declined", user)
    introduction.note = note
    audit.log(
        "introduction-decline",
        introduction.organisation or f"organisation:{introduction.organisation_name}",
        _("Request %(id)s from %(email)s: %(note)s",
          id=introduction.id, email=introduction.email, note=note),
        user=user,
    )  # fmt: skip

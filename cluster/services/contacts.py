"""Contact details as typed: web addresses (a website, social links), e-mail, phone."""

from __future__ import annotations

import re
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from .parsers import Invalid, Parser, as_text, check_length, clean_line, items

# "javascript:", "data:", "mailto:" ... a scheme is letters before ":" with no dot in them.
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_HOST = re.compile(r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_][\w-]*\.?|localhost", re.UNICODE)


def _url(text: str, limit: int) -> str:
    url = clean_line(text)
    if not url:
        return ""
    check_length(url, limit)
    if any(char.isspace() for char in url):
        raise Invalid(_("a web address cannot contain spaces"))
    scheme = _SCHEME.match(url)
    if scheme and "://" not in url and "." not in scheme.group(1):
        raise Invalid(
            _(
                "only http and https addresses are allowed, not %(scheme)s",
                scheme=repr(scheme.group(1)),
            )
        )
    if "://" not in url:
        url = "https://" + url
    scheme_name, _separator, rest = url.partition("://")
    if scheme_name.lower() not in ("http", "https"):
        raise Invalid(
            _(
                "only http and https addresses are allowed, not %(scheme)s",
                scheme=repr(scheme_name[:20]),
            )
        )
    host = re.split(r"[/?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1]
    host = re.sub(r":\d{1,5}$", "", host)
    if not _HOST.fullmatch(host):
        raise Invalid(_("not a web address: %(value)s", value=repr(text[:60])))
    return check_length(scheme_name.lower() + "://" + rest, limit)


def links(limit: int) -> Parser:
    """Web addresses, one per item, each at most `limit` characters."""

    def parse(value: Any) -> list[str]:
        found: list[str] = []
        for item in items(value):
            link = _url(item, limit)
            if link not in found:
                found.append(link)
        return found

    return parse


def url(limit: int) -> Parser:
    """An http or https address ("https://" added when no scheme is given)."""
    return lambda value: _url(as_text(value), limit)


def email(limit: int) -> Parser:
    """An e-mail address in its normalised form (the domain is not looked up)."""

    def parse(value: Any) -> str:
        text = clean_line(as_text(value))
        if not text:
            return ""
        check_length(text, limit)
        try:
            return validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError as error:
            # The reason is email_validator's, in English.
            raise Invalid(_("not a valid e-mail address: %(reason)s", reason=error)) from None

    return parse


def phone(limit: int) -> Parser:
    """A phone number as written, with at least one digit."""

    def parse(value: Any) -> str:
        text = check_length(clean_line(as_text(value)), limit)
        if text and not any(char.isdigit() for char in text):
            raise Invalid(_("a phone number needs digits"))
        return text

    return parse

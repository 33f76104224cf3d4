"""How staff pages show stored codes and times: labels of statuses, roles and actions; dates.

The database keeps codes ("published", "user-change"); pages show the label of each in the
page's language, and an unknown code as it is. Dates go through Flask-Babel, in the patterns
below, so months are named in the page's language; times are stored in UTC and shown in the
technopark's time zone (BABEL_DEFAULT_TIMEZONE), dates too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from flask_babel import format_date, format_datetime, format_timedelta, npgettext, to_user_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from .. import fields
from ..models import utcnow
from ..services.accounts import ROLE_LABELS
from ..services.lifecycle import STATUS_LABELS
from ..templating import counted

# What each action in the audit log did (services call audit.log with these codes). Worded
# apart from the status labels: "Listing archived" is an event, "Archived" a state.
AUDIT_ACTIONS = {
    "login": _l("Logged in"),
    "login-failed": _l("Failed login"),
    "logout": _l("Logged out"),
    "create": _l("Listing created"),
    "edit": _l("Listing edited"),
    "submit": _l("Listing sent for review"),
    "publish": _l("Listing published"),
    "approve": _l("Submission approved"),
    "return-to-draft": _l("Listing made a draft again"),
    "archive": _l("Listing archived"),
    "restore": _l("Listing restored"),
    "restore-revision": _l("Earlier version restored"),
    "delete": _l("Listing deleted"),
    "reject": _l("Submission rejected"),
    "send-back": _l("Submission sent back"),
    "verify": _l("Listing checked"),
    "logo": _l("Logo changed"),
    "import": _l("File imported"),
    "export": _l("List exported"),
    "user-create": _l("User added"),
    "user-change": _l("User changed"),
    "introduction-forward": _l("Introduction request forwarded"),
    "introduction-decline": _l("Introduction request declined"),
}
# What each revision in an organisation's history was (services/revisions.py records them).
REVISION_ACTIONS = {
    "create": _l("created"),
    "edit": _l("edited"),
    "submit": _l("sent for review"),
    "publish": _l("published"),
    "approve": _l("approved"),
    "return-to-draft": _l("made a draft again"),
    "archive": _l("archived"),
    "restore": _l("restored"),
    "delete": _l("deleted"),
    "import": _l("imported from a file"),
}

# A status change as services/organisations.py logs it: "archived → published".
STATUS_CHANGE = re.compile(r"^([a-z]+) → ([a-z]+)$")

# Babel date patterns: 5 March 2026 / 5 марта 2026.
LONG_DATE = "d MMMM y"
SHORT_DATE = "d MMM y"
DATE_TIME = "d MMMM y, HH:mm"
TIMESTAMP = "yyyy-MM-dd HH:mm:ss"


def labels() -> dict:
    """The label dictionaries every staff template may use."""
    return {
        "STATUS_LABELS": STATUS_LABELS,
        "ROLE_LABELS": ROLE_LABELS,
        "AUDIT_ACTIONS": AUDIT_ACTIONS,
        "REVISION_ACTIONS": REVISION_ACTIONS,
    }


def field_label(name: str) -> str:
    """The label of a field of the spec, for a field name stored in a revision."""
    field = fields.BY_NAME.get(name)
    return str(field.label) if field is not None else name


def long_date(value: datetime | None) -> str:
    return format_date(to_user_timezone(value), LONG_DATE) if value else ""


def short_date(value: datetime | None) -> str:
    return format_date(to_user_timezone(value), SHORT_DATE) if value else ""


def date_time(value: datetime | None) -> str:
    return format_datetime(value, DATE_TIME) if value else ""


def timestamp(value: datetime | None) -> str:
    return format_datetime(value, TIMESTAMP) if value else ""


def ago(value: datetime | None) -> str:
    """How long ago a stored (UTC) time was, in words: "3 hours ago"."""
    if not value:
        return ""
    elapsed = utcnow() - value
    # Within a second (or a little ahead, from another server's clock) it is now.
    if elapsed < timedelta(seconds=1):
        return _("just now")
    return format_timedelta(-elapsed, add_direction=True)


def time_tag(value: datetime | None) -> Markup:
    """A <time> saying how long ago, with the exact date and time as its title."""
    if not value:
        return Markup("")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        value.strftime("%Y-%m-%dT%H:%M:%SZ"), date_time(value), ago(value)
    )


def audit_detail(detail: str | None) -> str:
    """An audit entry's detail for people: a status change named by its labels, else as stored."""
    if not detail:
        return ""
    change = STATUS_CHANGE.match(detail)
    if change and all(status in STATUS_LABELS for status in change.groups()):
        return " → ".join(str(STATUS_LABELS[status]) for status in change.groups())
    return detail


# Each status beside a count of listings: 3 drafts, 1 draft.
STATUS_COUNTED = {
    "draft": lambda n: npgettext("listings counted", "draft", "drafts", n),
    "pending": lambda n: npgettext(
        "listings counted", "waiting for review", "waiting for review", n
    ),
    "published": lambda n: npgettext("listings counted", "published", "published", n),
    "archived": lambda n: npgettext("listings counted", "archived", "archived", n),
}


def status_count(status: str, count: int) -> str:
    """A dashboard tile's words for a count of listings in one status: 3 drafts, 1 draft."""
    return counted(STATUS_COUNTED, status, count)


FILTERS: dict[str, Callable[..., str]] = {
    "long_date": long_date,
    "short_date": short_date,
    "date_time": date_time,
    "timestamp": timestamp,
    "ago": ago,
    "audit_detail": audit_detail,
}
GLOBALS: dict[str, Callable[..., str]] = {
    "field_label": field_label,
    "time_tag": time_tag,
    "status_count": status_count,
}

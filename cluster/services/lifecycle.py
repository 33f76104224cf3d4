"""A listing's lifecycle: which status changes exist, and who may make each.

TRANSITIONS is the one table of them. Every service that changes a status asks `check` first,
whatever a form posted, and pages ask `actions` and `status_choices` which buttons and choices
to show. A status typed into the edit form is legal when some transition leads there.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..models import STATUSES, Organisation, User

STAFF = frozenset(("admin", "editor"))
ADMINS = frozenset(("admin",))
# The target of the transitions that delete the row (its history is kept).
REMOVED = "removed"
# How pages and messages name each status.
STATUS_LABELS = {
    "draft": _l("Draft"),
    "pending": _l("Pending"),
    "published": _l("Published"),
    "archived": _l("Archived"),
}


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    # Why the move is refused when the listing's status is not among the sources: one whole
    # sentence about %(name)s, translated when it is raised.
    refused: str
    roles: frozenset[str] = STAFF
    # Only for a listing that has never been public (a submission being turned down); the
    # refusal for one that has.
    refused_if_published: str = ""


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(
        ("draft",), "pending", _l("%(name)s is not a draft, so it cannot be sent for review.")
    ),
    "publish": Transition(
        ("draft", "pending"), "published", _l("%(name)s is archived, so it cannot be published.")
    ),
    "approve": Transition(
        ("pending",),
        "published",
        _l("%(name)s is not waiting for review, so it cannot be approved."),
    ),
    "return-to-draft": Transition(
        ("pending",),
        "draft",
        _l("%(name)s is not waiting for review, so it cannot be made a draft again."),
    ),
    "archive": Transition(
        ("draft", "pending", "published"), "archived", _l("%(name)s is already archived.")
    ),
    "restore": Transition(
        ("archived",), "published", _l("%(name)s is not archived, so it cannot be restored.")
    ),
    "restore-as-draft": Transition(
        ("archived",),
        "draft",
        _l("%(name)s is not archived, so it cannot be restored as a draft."),
    ),
    "reject": Transition(
        ("pending",),
        REMOVED,
        _l("%(name)s is not waiting for review, so it cannot be rejected."),
        refused_if_published=_l(
            "%(name)s has been published before, so it cannot be rejected; "
            "archive it instead, or ask an administrator to delete it."
        ),
    ),
    "delete": Transition(STATUSES, REMOVED, _l("%(name)s cannot be deleted now."), ADMINS),
}
# A move refused because the listing already has the status it leads to.
ALREADY = {
    "draft": _l("%(name)s is already a draft."),
    "pending": _l("%(name)s is already waiting for review."),
    "published": _l("%(name)s is already published."),
    "archived": _l("%(name)s is already archived."),
}
# Statuses a listing may start in: staff create drafts, submissions or published listings.
INITIAL = ("draft", "pending", "published")


class LifecycleError(Exception):
    """The change is not allowed; the message says why, for the person who asked."""


def status_label(status: str) -> str:
    """A status as pages name it (an unknown one as it was typed, shortened)."""
    return str(STATUS_LABELS.get(status, status[:30]))


def status_labels(statuses) -> str:
    return ", ".join(status_label(status) for status in statuses)


def allows(action: str, org: Organisation, user: User | None) -> bool:
    """Whether user may take this action on the organisation now."""
    transition = TRANSITIONS[action]
    return (
        org.status in transition.sources
        and user is not None
        and user.role in transition.roles
        and not (transition.refused_if_published and org.published_at is not None)
    )


def actions(org: Organisation, user: User | None) -> set[str]:
    """Every action user may take on the organisation now (for the buttons a page shows)."""
    return {action for action in TRANSITIONS if allows(action, org, user)}


def check(action: str, org: Organisation, user: User | None) -> str:
    """The status the action leads to; LifecycleError if user may not take it now."""
    if allows(action, org, user):
        return TRANSITIONS[action].target
    transition = TRANSITIONS[action]
    if user is None or user.role not in transition.roles:
        if transition.roles == ADMINS:
            message = _(
                "Only an administrator can do this: %(name)s was not changed.", name=org.name
            )
        else:
            message = _(
                "Only the technopark's staff can do this: %(name)s was not changed.", name=org.name
            )
        raise LifecycleError(message)
    if org.status in transition.sources:
        refusal = transition.refused_if_published  # the move is only for the never published
    elif org.status == transition.target and org.status in ALREADY:
        refusal = ALREADY[org.status]
    else:
        refusal = transition.refused
    raise LifecycleError(str(refusal) % {"name": org.name})


def reachable(org: Organisation, user: User | None) -> list[str]:
    """The statuses user may move the organisation to now, in the order of STATUSES."""
    targets = {TRANSITIONS[action].target for action in actions(org, user)}
    return [status for status in STATUSES if status in targets and status != org.status]


def check_status(org: Organisation, status: str, user: User | None) -> None:
    """Raise LifecycleError unless user may set this status (as the edit form does)."""
    if status == org.status:
        return
    allowed = reachable(org, user)
    if status in allowed:
        return
    if allowed:
        message = _(
            "%(name)s cannot become %(status)s from here; it can become: %(allowed)s.",
            name=org.name,
            status=status_label(status),
            allowed=status_labels(allowed),
        )
    else:
        message = _(
            "%(name)s cannot become %(status)s, nor change its status at all now.",
            name=org.name,
            status=status_label(status),
        )
    raise LifecycleError(message)


def check_initial(status: str) -> None:
    """Raise LifecycleError unless a new listing may start with this status."""
    if status not in INITIAL:
        raise LifecycleError(
            _(
                "A new listing cannot start as %(status)s; it can start as: %(allowed)s.",
                status=status_label(status),
                allowed=status_labels(INITIAL),
            )
        )


def status_choices(org: Organisation | None, user: User | None) -> list[str]:
    """What the edit form's status select offers: the current status and those reachable."""
    if org is None:
        return list(INITIAL)
    return [org.status, *reachable(org, user)]

"""A listing's lifecycle: which status changes exist, and who may make each.

TRANSITIONS is the one table of them. Every service that changes a status asks `check` first,
whatever a form posted, and pages ask `actions` and `status_choices` which buttons and choices
to show. A status typed into the edit form is legal when some transition leads there.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import STATUSES, Organisation, User

STAFF = frozenset(("admin", "editor"))
ADMINS = frozenset(("admin",))
# The target of the transitions that delete the row (its history is kept).
REMOVED = "removed"


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    # What happens to the listing, for messages: "it cannot be {done} from there".
    done: str
    roles: frozenset[str] = STAFF
    # Only for a listing that has never been public (a submission being turned down).
    never_published: bool = False


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(("draft",), "pending", "sent for review"),
    "publish": Transition(("draft", "pending"), "published", "published"),
    "approve": Transition(("pending",), "published", "approved"),
    "return-to-draft": Transition(("pending",), "draft", "made a draft again"),
    "archive": Transition(("draft", "pending", "published"), "archived", "archived"),
    "restore": Transition(("archived",), "published", "restored"),
    "restore-as-draft": Transition(("archived",), "draft", "restored as a draft"),
    "reject": Transition(("pending",), REMOVED, "rejected", never_published=True),
    "delete": Transition(STATUSES, REMOVED, "deleted", ADMINS),
}
# Statuses a listing may start in: staff create drafts, submissions or published listings.
INITIAL = ("draft", "pending", "published")


class LifecycleError(Exception):
    """The change is not allowed; the message says why, for the person who asked."""


def allows(action: str, org: Organisation, user: User | None) -> bool:
    """Whether user may take this action on the organisation now."""
    transition = TRANSITIONS[action]
    return (
        org.status in transition.sources
        and user is not None
        and user.role in transition.roles
        and not (transition.never_published and org.published_at is not None)
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
        raise LifecycleError(
            f"Only an administrator can do this: {org.name} was not {transition.done}."
        )
    if transition.never_published and org.published_at is not None:
        raise LifecycleError(
            f"{org.name} has been published before, so it cannot be {transition.done}; "
            "archive it instead, or ask an administrator to delete it."
        )
    raise LifecycleError(f"{org.name} is {org.status}, so it cannot be {transition.done}.")


def reachable(org: Organisation, user: User | None) -> list[str]:
    """The statuses user may move the organisation to now, in the order of STATUSES."""
    targets = {TRANSITIONS[action].target for action in actions(org, user)}
    return [status for status in STATUSES if status in targets and status != org.status]


def check_status(org: Organisation, status: str, user: User | None) -> None:
    """Raise LifecycleError unless user may set this status (as the edit form does)."""
    if status == org.status:
        return
    if status not in reachable(org, user):
        allowed = ", ".join(reachable(org, user)) or "no other status"
        raise LifecycleError(
            f"{org.name} is {org.status}: it can become {allowed}, not {status[:30]}."
        )


def check_initial(status: str) -> None:
    """Raise LifecycleError unless a new listing may start with this status."""
    if status not in INITIAL:
        raise LifecycleError(f"A new listing starts as {', '.join(INITIAL)}, not {status[:30]}.")


def status_choices(org: Organisation | None, user: User | None) -> list[str]:
    """What the edit form's status select offers: the current status and those reachable."""
    if org is None:
        return list(INITIAL)
    return [org.status, *reachable(org, user)]

"""What staff are told about a mail the directory tried to send for them."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash

from ..services import mail


def flash_delivery(
    delivery: mail.Delivery,
    sent: str,
    unconfigured: str,
    failed: Callable[[str], str],
    sent_category: str = "success",
) -> None:
    """Say how a mail went: `sent`; `unconfigured` when no mail server is set up; else what
    `failed` makes of the reason. The words are the caller's, as what was mailed differs."""
    if delivery.sent:
        flash(sent, sent_category)
    elif delivery.outcome is mail.Outcome.NOT_CONFIGURED:
        flash(unconfigured, "warning")
    else:
        flash(failed(delivery.reason), "error")

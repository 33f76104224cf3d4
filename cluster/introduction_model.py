"""The introductions table: a visitor asks the technopark to introduce them to an organisation.

Apart from models.py, which is at its size limit; the factory imports it with the blueprints,
and migrations/env.py sees it through the metadata.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Numbered, Organisation, User, utcnow

INTRODUCTION_STATUSES = ("new", "forwarded", "declined")
INTRODUCTION_STATUS_LABELS = {
    "new": _l("New"),
    "forwarded": _l("Forwarded"),
    "declined": _l("Declined"),
}


class Introduction(Numbered):
    """One request: who asks, to meet whom, what for; and what staff did with it."""

    __tablename__ = "introductions"

    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Kept when the organisation is deleted, so the queue still says whom it was for.
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    organisation_name: Mapped[str] = mapped_column(sa.String(200), default="")
    # What the visitor typed; never put into a mail header.
    name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(254))
    company: Mapped[str] = mapped_column(sa.String(200), default="")
    purpose: Mapped[str] = mapped_column(sa.Text)
    # The interface language it was sent in.
    locale: Mapped[str] = mapped_column(sa.String(8), default="")
    ip: Mapped[str] = mapped_column(sa.String(64), default="")

    status: Mapped[str] = mapped_column(sa.String(20), default="new", index=True)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # Where it was forwarded, or why it was declined.
    forwarded_to: Mapped[str] = mapped_column(sa.String(254), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")

    organisation: Mapped[Organisation | None] = relationship()
    decided_by: Mapped[User | None] = relationship()

    @property
    def status_label(self) -> str:
        return str(INTRODUCTION_STATUS_LABELS.get(self.status, self.status))


@event.listens_for(Organisation, "before_delete")
def detach_introductions(mapper, connection, org: Organisation) -> None:
    """Keep the requests for a deleted organisation, no longer linked to its row.

    SQLite does not enforce ON DELETE SET NULL unless foreign keys are switched on, and a later
    organisation may be given the same id.
    """
    connection.execute(
        sa.update(Introduction)
        .where(Introduction.organisation_id == org.id)
        .values(organisation_id=None)
    )

"""The directory's tables: organisations, the sector taxonomy, staff users, revisions, audit log."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .duplicate_keys import keys_of
from .extensions import Model, db

# The directory's vocabularies: each one's codes in their order, and the label people read for
# each code.
VOCABULARIES: dict[str, dict[str, LazyString]] = {
    "kind": {
        "startup": _l("Startup"),
        "manufacturer": _l("Manufacturer"),
        "education": _l("Educational institution"),
        "company": _l("Company"),
        "investor": _l("Investor"),
    },
    "residency": {"resident": _l("Resident of the technopark"), "partner": _l("Partner")},
    "status": {
        "draft": _l("Draft"),
        "pending": _l("Pending"),
        "published": _l("Published"),
        "archived": _l("Archived"),
    },
    "stage": {
        "idea": _l("Idea"),
        "prototype": _l("Prototype"),
        "mvp": _l("MVP"),
        "revenue": _l("Revenue"),
        "scaling": _l("Scaling"),
    },
    "looking_for": {
        "investment": _l("Investment"),
        "manufacturing": _l("Manufacturing"),
        "suppliers": _l("Suppliers"),
        "customers": _l("Customers"),
        "partners": _l("Partners"),
        "talent": _l("Talent"),
        "premises": _l("Premises"),
        "mentoring": _l("Mentoring"),
    },
    # Investors: what kind of investor, and how they invest.
    "investor_type": {
        "venture_fund": _l("Venture fund"),
        "business_angel": _l("Business angel"),
        "accelerator": _l("Accelerator"),
        "corporate_venture": _l("Corporate venture"),
        "state": _l("State support programme or grant"),
    },
    "instrument": {
        "equity": _l("Equity"),
        "convertible_loan": _l("Convertible loan"),
        "grant": _l("Grant"),
        "other": _l("Other"),
    },
}
# Each under the name the rest of the directory knows it by, and its codes alone.
KIND_LABELS = VOCABULARIES["kind"]
RESIDENCY_LABELS = VOCABULARIES["residency"]
STATUS_LABELS = VOCABULARIES["status"]
STAGE_LABELS = VOCABULARIES["stage"]
LOOKING_FOR_LABELS = VOCABULARIES["looking_for"]
INVESTOR_TYPE_LABELS = VOCABULARIES["investor_type"]
INSTRUMENT_LABELS = VOCABULARIES["instrument"]
KINDS = tuple(KIND_LABELS)
RESIDENCIES = tuple(RESIDENCY_LABELS)
STATUSES = tuple(STATUS_LABELS)
STAGES = tuple(STAGE_LABELS)
LOOKING_FOR = tuple(LOOKING_FOR_LABELS)
INVESTOR_TYPES = tuple(INVESTOR_TYPE_LABELS)
INSTRUMENTS = tuple(INSTRUMENT_LABELS)
ROLES = ("admin", "editor")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_session_token() -> str:
    """A random token that a user's sessions carry; a new one ends every older session."""
    return secrets.token_urlsafe(32)


class Numbered(Model):
    """A model whose rows are known by a number of their own: every model here."""

    __abstract__ = True

    id: Mapped[int] = mapped_column(primary_key=True)


organisation_sectors = sa.Table(
    "organisation_sectors",
    db.metadata,
    sa.Column(
        "organisation_id",
        sa.ForeignKey("organisations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("sector_id", sa.ForeignKey("sectors.id", ondelete="CASCADE"), primary_key=True),
)


class Sector(Numbered):
    __tablename__ = "sectors"

    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    name_ru: Mapped[str] = mapped_column(sa.String(120), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    organisations: Mapped[list[Organisation]] = relationship(
        secondary=organisation_sectors, back_populates="sectors"
    )

    def __repr__(self) -> str:
        return f"<Sector {self.slug}>"


class Organisation(Numbered):
    __tablename__ = "organisations"

    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_alt: Mapped[str] = mapped_column(sa.String(200), default="")
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)
    residency: Mapped[str] = mapped_column(sa.String(20), default="resident", index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="draft", index=True)

    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # The same texts in the other language, shown to visitors who read that one.
    summary_alt: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    description_alt: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    tags: Mapped[list] = mapped_column(sa.JSON, default=list)
    capabilities: Mapped[list] = mapped_column(sa.JSON, default=list)
    needs: Mapped[list] = mapped_column(sa.JSON, default=list)
    looking_for: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Canonical capabilities (slugs of data/capabilities.toml) offered and needed: found in the
    # text on every save (services/matchmaking.py), with staff's own additions and removals
    # ({"offers": {"added": [...], "removed": [...]}, "needs_capabilities": {...}}) kept.
    offers: Mapped[list] = mapped_column(sa.JSON, default=list)
    needs_capabilities: Mapped[list] = mapped_column(sa.JSON, default=list)
    capability_edits: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    # Startups
    stage: Mapped[str | None] = mapped_column(sa.String(20))
    funding_sought: Mapped[int | None] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3), default="")
    # Investors: their focus is their sectors plus these stages (none: any stage).
    investor_type: Mapped[str | None] = mapped_column(sa.String(30))
    focus_stages: Mapped[list] = mapped_column(sa.JSON, default=list)
    ticket_min: Mapped[int | None] = mapped_column(sa.BigInteger)
    ticket_max: Mapped[int | None] = mapped_column(sa.BigInteger)
    ticket_currency: Mapped[str] = mapped_column(sa.String(3), default="", server_default="")
    instruments: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Manufacturers
    equipment: Mapped[list] = mapped_column(sa.JSON, default=list)
    min_order: Mapped[str] = mapped_column(sa.String(120), default="")
    capacity: Mapped[str] = mapped_column(sa.String(200), default="")
    # The minimum order and the monthly capacity as numbers with a unit (services/quantities.py),
    # read from the text on every save; None where the text holds no quantity.
    min_order_quantity: Mapped[int | None] = mapped_column(sa.BigInteger, index=True)
    min_order_unit: Mapped[str] = mapped_column(sa.String(12), default="", server_default="")
    capacity_quantity: Mapped[int | None] = mapped_column(sa.BigInteger)
    capacity_unit: Mapped[str] = mapped_column(sa.String(12), default="", server_default="")
    # Educational institutions: [{"name", "level", "format", "duration"}, ...]
    programmes: Mapped[list] = mapped_column(sa.JSON, default=list)

    founded_year: Mapped[int | None]
    team_size: Mapped[int | None]

    city: Mapped[str] = mapped_column(sa.String(120), default="", index=True)
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    building: Mapped[str] = mapped_column(sa.String(60), default="")
    floor: Mapped[str] = mapped_column(sa.String(20), default="")
    unit: Mapped[str] = mapped_column(sa.String(20), default="")

    website: Mapped[str] = mapped_column(sa.String(300), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(60), default="")
    social_links: Mapped[list] = mapped_column(sa.JSON, default=list)
    # A stored file name (services/logos.py); indexed, as every request for a logo looks it up.
    logo: Mapped[str] = mapped_column(sa.String(120), default="", index=True)
    # The interface language a public submission was sent in: staff notes go out in it.
    submission_locale: Mapped[str] = mapped_column(sa.String(8), default="", server_default="")

    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Indexed: the investor view's arrays read its newest value to see that something changed.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)
    published_at: Mapped[datetime | None]
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # Optimistic locking: an UPDATE carrying an older version matches no row and fails.
    version: Mapped[int] = mapped_column(default=1)

    # What the duplicate check looks up (cluster/duplicate_keys.py), set on every save by
    # fill_duplicate_keys below; NULL for rows written around the ORM until `init-db` fills them.
    name_key: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    name_alt_key: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    website_key: Mapped[str | None] = mapped_column(sa.String(300), index=True)
    email_key: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    phone_key: Mapped[str | None] = mapped_column(sa.String(60), index=True)

    sectors: Mapped[list[Sector]] = relationship(
        secondary=organisation_sectors,
        back_populates="organisations",
        order_by="Sector.position",
    )
    verified_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_public(self) -> bool:
        return self.status == "published"

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def location(self) -> str:
        """Building, floor and unit in the technopark, as one line."""
        parts = [self.building]
        if self.floor:
            parts.append(_("floor %(floor)s", floor=self.floor))
        if self.unit:
            parts.append(_("unit %(unit)s", unit=self.unit))
        return ", ".join(part for part in parts if part)

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


@event.listens_for(Organisation, "before_insert")
@event.listens_for(Organisation, "before_update")
def fill_duplicate_keys(mapper, connection, org: Organisation) -> None:
    """Keep the duplicate keys in step with the name, website, e-mail and phone they come from."""
    for column, key in keys_of(org).items():
        if getattr(org, column) != key:
            setattr(org, column, key)


class User(Numbered):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20), default="editor")
    active: Mapped[bool] = mapped_column(default=True)
    # The interface language the member of staff last worked in ("" until they choose).
    locale: Mapped[str] = mapped_column(sa.String(8), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Carried in every session cookie beside the id (get_id) and compared on each request:
    # logout, a password or role change and disabling replace it, ending older sessions, and
    # a new user who gets a deleted user's id never gets that user's token.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)

    # Flask-Login's interface
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Make every session cookie of this user invalid (the caller commits)."""
        self.session_token = new_session_token()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Revision(Numbered):
    """One save of an organisation: who, when, and each changed field with old and new value."""

    __tablename__ = "revisions"

    # Kept after the organisation is deleted, so the history of a deletion survives.
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    organisation_slug: Mapped[str] = mapped_column(sa.String(120), default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    version: Mapped[int] = mapped_column(default=1)
    action: Mapped[str] = mapped_column(sa.String(30), default="edit")
    # {"field": [old, new], ...}
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Every field after the save, so any revision can be restored whole.
    snapshot: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    note: Mapped[str] = mapped_column(sa.Text, default="")

    user: Mapped[User | None] = relationship()


class AuditEntry(Numbered):
    """A staff action: login, create, edit, publish, archive, delete, import, user change."""

    __tablename__ = "audit_log"

    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    user_email: Mapped[str] = mapped_column(sa.String(254), default="")
    action: Mapped[str] = mapped_column(sa.String(40))
    target: Mapped[str] = mapped_column(sa.String(200), default="")
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    ip: Mapped[str] = mapped_column(sa.String(64), default="")

    user: Mapped[User | None] = relationship()


class LoginFailure(Numbered):
    """A failed staff login: from which address, for which typed e-mail, and when.

    Kept in the database so every worker and host counts the same failures (services/logins.py).
    """

    __tablename__ = "login_failures"

    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    address: Mapped[str] = mapped_column(sa.String(64), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)


def include_in_autogenerate(obj, name, type_, reflected, compare_to) -> bool:
    """Let Alembic compare only what these models describe.

    The PostgreSQL search engine's tables are made by migrations alone; without this,
    `flask db migrate` on PostgreSQL would propose dropping them.
    """
    if type_ == "table":
        return not (reflected and compare_to is None)
    table = getattr(obj, "table", None)
    return table is None or table.name in db.metadata.tables

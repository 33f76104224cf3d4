"""What the staff pages list: organisations of every status, counts, the newest changes."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import Organisation, Sector
from ..templating import sector_name
from . import directory


def staff_list(text: str, status: str, kind: str, page: int, per_page: int):
    """Organisations of every status, found by name, slug or e-mail, one page of them."""
    return directory.paginate(staff_query(text, status, kind), page, per_page)


def staff_query(text: str, status: str, kind: str) -> sa.Select:
    """The staff list's query (also what its export writes), newest change first."""
    stmt = sa.select(Organisation)
    text = text.replace("\x00", "").strip()[:200]
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            sa.or_(
                Organisation.name.ilike(pattern, escape="\\"),
                Organisation.name_alt.ilike(pattern, escape="\\"),
                Organisation.slug.ilike(pattern, escape="\\"),
                Organisation.email.ilike(pattern, escape="\\"),
            )
        )
    if status:
        stmt = stmt.where(Organisation.status == status)
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    return stmt.order_by(Organisation.updated_at.desc(), Organisation.id.desc())


def counts_by_status() -> dict[str, int]:
    """How many organisations hold each status."""
    rows = db.session.execute(
        sa.select(Organisation.status, sa.func.count()).group_by(Organisation.status)
    ).all()
    return {status: count for status, count in rows}


def pending(limit: int = 20) -> list[Organisation]:
    """The newest submissions waiting for review."""
    stmt = (
        sa.select(Organisation)
        .where(Organisation.status == "pending")
        .order_by(Organisation.created_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def recently_changed(limit: int = 10) -> list[Organisation]:
    """The organisations changed last, of any status."""
    stmt = sa.select(Organisation).order_by(Organisation.updated_at.desc()).limit(limit)
    return list(db.session.scalars(stmt))


def sector_choices() -> list[tuple[str, str]]:
    """Every sector as (slug, name in the page's language), in taxonomy order, for forms."""
    sectors = db.session.scalars(sa.select(Sector).order_by(Sector.position))
    return [(sector.slug, sector_name(sector)) for sector in sectors]

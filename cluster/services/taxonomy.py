"""The curated sector taxonomy, kept in data/sectors.json."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from ..extensions import db
from ..models import Sector

SECTORS_FILE = Path(__file__).resolve().parents[2] / "data" / "sectors.json"


def load_sectors(path: Path = SECTORS_FILE) -> int:
    """Insert or update the sectors listed in the file; return how many it lists."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    existing = {sector.slug: sector for sector in db.session.scalars(sa.select(Sector))}
    for position, entry in enumerate(entries):
        sector = existing.get(entry["slug"]) or Sector(slug=entry["slug"])
        sector.name = entry["name"]
        sector.name_ru = entry.get("name_ru", "")
        sector.description = entry.get("description", "")
        sector.position = position
        db.session.add(sector)
    return len(entries)


def sector_lookup() -> dict[str, Sector]:
    """Map every sector's slug and names, lower-cased, to the sector."""
    lookup: dict[str, Sector] = {}
    for sector in db.session.scalars(sa.select(Sector)):
        for key in (sector.slug, sector.name, sector.name_ru):
            if key:
                lookup[key.strip().casefold()] = sector
    return lookup

"""Likely duplicates: an organisation whose name, website, e-mail or phone is close to another's.

One record (a public submission, a staff member creating a listing, a submission in the
queue) is checked cheaply: its keys are looked up in the indexed key columns, and names alike
despite typos, word order or the alphabet come from the search index, whose few best hits are
then compared by rapidfuzz; no request reads every organisation. An import checks many records
at once, so it loads every organisation's stored keys once instead (DuplicateFinder).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from rapidfuzz import fuzz, process

from .. import search
from ..duplicate_keys import email_key, keys_of, normalise_name, phone_key, website_key
from ..extensions import db
from ..models import STATUSES, Organisation

__all__ = [
    "DuplicateFinder",
    "fill_missing_keys",
    "likely_duplicates",
    "normalise_name",
    "phone_key",
    "website_key",
]

NAME_THRESHOLD = 88
# Hits of the search index compared by name, per name searched.
NAME_CANDIDATES = 10
CONTACT_KEYS = ("website", "email", "phone")
FILL_BATCH = 2000
# The key columns, and the columns they are made from (duplicate_keys.KEY_COLUMNS).
KEYS = ("name_key", "name_alt_key", "website_key", "email_key", "phone_key")
SOURCES = ("name", "name_alt", "website", "email", "phone")
# What one record's check reads of each organisation it looks at.
KEY_ROW = [Organisation.id, Organisation.name, Organisation.name_alt] + [
    getattr(Organisation, key) for key in KEYS
]


@dataclass
class Candidate:
    id: int
    names: list[str]
    website: str
    email: str
    phone: str

    @classmethod
    def from_keys(cls, id: int, keys: dict) -> Candidate:
        """An organisation as the check compares it, from its duplicate keys (keys_of)."""
        return cls(
            id=id,
            names=sorted({keys["name_key"], keys["name_alt_key"]} - {""}),
            website=keys["website_key"],
            email=keys["email_key"],
            phone=keys["phone_key"],
        )


def name_scores(name: str, choices: dict) -> list[tuple[Any, float]]:
    """Keys of the choices whose name is like this one, ignoring word order and small typos."""
    passes = [(fuzz.token_sort_ratio, choices)]
    # A name inside a longer one ("Nord Textile" in "Nord Textile Lab") counts as alike,
    # but one common word inside a longer name ("Studio" in "Studio Nord") does not.
    if " " in name:
        several = {key: text for key, text in choices.items() if " " in text}
        passes.append((fuzz.token_set_ratio, several))
    found = []
    for scorer, texts in passes:
        for _name, score, key in process.extract(
            name, texts, scorer=scorer, processor=None, score_cutoff=NAME_THRESHOLD, limit=20
        ):
            found.append((key, score))
    return found


class Matches:
    """Reasons and scores per organisation id, gathered from names and contact keys."""

    def __init__(self, values: dict, exclude_id: int | None):
        self.exclude_id = exclude_id
        self.reasons: dict[int, list[str]] = {}
        self.scores: dict[int, float] = {}
        self.names = {normalise_name(values.get(k) or "") for k in ("name", "name_alt")} - {""}
        self.keys = {
            "website": website_key(values.get("website") or ""),
            "email": email_key(values.get("email") or ""),
            "phone": phone_key(values.get("phone") or ""),
        }
        # Reasons are listed together ("a similar name, the same phone number").
        self.labels = {
            "website": _("the same website (%(website)s)", website=self.keys["website"]),
            "email": _("the same e-mail (%(email)s)", email=self.keys["email"]),
            "phone": _("the same phone number"),
        }

    def note(self, org_id: int, reason: str, score: float) -> None:
        if org_id == self.exclude_id or reason in self.reasons.get(org_id, []):
            return
        self.reasons.setdefault(org_id, []).append(reason)
        self.scores[org_id] = self.scores.get(org_id, 0) + score

    def note_names(self, best: dict[int, float]) -> None:
        for org_id, score in best.items():
            self.note(org_id, _("a similar name"), score)

    def note_key(self, kind: str, org_id: int) -> None:
        self.note(org_id, self.labels[kind], 100)

    def ranked(self, orgs: dict[int, Organisation]) -> list[tuple[Organisation, str]]:
        """The organisations noted, closest first, each with its reasons in one line."""
        found = [orgs[org_id] for org_id in self.reasons]
        ranked = sorted(found, key=lambda org: (-self.scores[org.id], org.name.casefold()))
        return [(org, ", ".join(self.reasons[org.id])) for org in ranked]

    def load(self) -> list[tuple[Organisation, str]]:
        """Like ranked, loading the organisations noted from the database."""
        if not self.reasons:
            return []
        query = sa.select(Organisation).where(Organisation.id.in_(self.reasons))
        return self.ranked({org.id: org for org in db.session.scalars(query)})


def likely_duplicates(
    values: dict, exclude_id: int | None = None, statuses: Collection[str] = STATUSES
) -> list[tuple[Organisation, str]]:
    """Organisations with one of these statuses like the record in values, closest first.

    The public compares with published organisations only (statuses=("published",)). An
    indexed look-up per key finds the organisations whose stored keys equal the record's, the
    search index gives its best hits for the record's names, and rapidfuzz compares the names
    of those hits: a few rows are read, never the whole table.
    """
    matches = Matches(values, exclude_id)
    hits = similar_name_hits(values, tuple(statuses))
    lookups = [sa.select(Organisation.id).where(arm) for arm in key_lookups(matches)]
    if hits:
        lookups.append(sa.select(Organisation.id).where(Organisation.id.in_(hits)))
    if not lookups:
        return []
    # Each look-up reads its own index and the rows of their union are read by primary key:
    # an OR of the conditions made SQLite read every row of the statuses. (PostgreSQL plans
    # this well once it has statistics of the key columns: fill_missing_keys.)
    wanted = sa.union(*lookups).subquery()
    query = sa.select(*KEY_ROW).where(
        Organisation.id.in_(sa.select(wanted.c.id)), Organisation.status.in_(tuple(statuses))
    )
    rows = db.session.execute(query).all()
    for row in rows:
        note_keys(matches, row)
    matches.note_names(best_names(matches.names, [row for row in rows if row.id in hits]))
    # Whole organisations are loaded for the few that matched only.
    return matches.load()


def key_lookups(matches: Matches) -> list:
    """A condition on one indexed key column per key the record has."""
    columns = {
        "website": Organisation.website_key,
        "email": Organisation.email_key,
        "phone": Organisation.phone_key,
    }
    arms = [column == matches.keys[kind] for kind, column in columns.items() if matches.keys[kind]]
    if matches.names:
        arms += [Organisation.name_key.in_(matches.names)]
        arms += [Organisation.name_alt_key.in_(matches.names)]
    return arms


def note_keys(matches: Matches, org: Any) -> None:
    """Note each key the organisation shares with the record."""
    if org.name_key in matches.names or org.name_alt_key in matches.names:
        matches.note_names({org.id: 100})
    for kind in CONTACT_KEYS:
        if matches.keys[kind] and getattr(org, f"{kind}_key") == matches.keys[kind]:
            matches.note_key(kind, org.id)


def similar_name_hits(values: dict, statuses: tuple[str, ...]) -> set[int]:
    """Ids of the search index's best hits for the record's names (its typos corrected)."""
    typed = {(values.get(key) or "").strip() for key in ("name", "name_alt")} - {""}
    ids: set[int] = set()
    try:
        for text in typed:
            query = search.SearchQuery(
                text=text,
                statuses=statuses,
                per_page=NAME_CANDIDATES,
                brief=True,
                offers_first=False,
            )
            ids.update(hit.id for hit in search.backend().search(query).hits)
    except Exception:
        # The database stays the source of truth: without the index, the keys still match.
        current_app.logger.exception("Similar names unavailable for %r", sorted(typed))
    return ids


def best_names(names: set[str], orgs: list[Any]) -> dict[int, float]:
    """Each organisation whose name is like one of these, with its best score."""
    choices = {}
    for org in orgs:
        # A row written around the ORM may not have its keys yet.
        name = org.name_key if org.name_key is not None else normalise_name(org.name)
        alt = org.name_alt_key if org.name_alt_key is not None else normalise_name(org.name_alt)
        choices.update({(org.id, 0): name, (org.id, 1): alt})
    choices = {key: text for key, text in choices.items() if text}
    best: dict[int, float] = {}
    for name in names:
        for (org_id, _position), score in name_scores(name, choices):
            best[org_id] = max(best.get(org_id, 0), score)
    return best


class DuplicateFinder:
    """Every organisation's stored keys, loaded once and checked against many new records."""

    def __init__(self, candidates: list[Candidate]):
        self.candidates = candidates
        # Keyed by (candidate index, name position) so a match leads back to its candidate.
        self.names = {
            (index, position): name
            for index, candidate in enumerate(candidates)
            for position, name in enumerate(candidate.names)
        }
        self.by_key: dict[tuple[str, str], list[int]] = {}
        for candidate in candidates:
            for kind in CONTACT_KEYS:
                value = getattr(candidate, kind)
                if value:
                    self.by_key.setdefault((kind, value), []).append(candidate.id)

    @classmethod
    def load(cls) -> DuplicateFinder:
        """Read the key columns of every organisation (not whole rows: there may be 100k)."""
        columns = [getattr(Organisation, name) for name in (*SOURCES, *KEYS)]
        candidates = []
        for row in db.session.execute(sa.select(Organisation.id, *columns)):
            keys = dict(row._mapping)
            if keys["name_key"] is None:
                keys.update(keys_of(keys))  # written around the ORM, not filled yet
            candidates.append(Candidate.from_keys(row.id, keys))
        return cls(candidates)

    def find(self, values: dict, exclude_id: int | None = None) -> list[tuple[Organisation, str]]:
        """Organisations like the record in values, each with the reason, closest first."""
        matches = Matches(values, exclude_id)
        best: dict[int, float] = {}
        for name in matches.names:
            for (index, _position), score in name_scores(name, self.names):
                org_id = self.candidates[index].id
                best[org_id] = max(best.get(org_id, 0), score)
        matches.note_names(best)
        for kind in CONTACT_KEYS:
            value = matches.keys[kind]
            for org_id in self.by_key.get((kind, value), []) if value else []:
                matches.note_key(kind, org_id)
        return matches.load()


def fill_missing_keys(batch: int = FILL_BATCH) -> int:
    """Store the keys of organisations that have none (rows from before the key columns, or
    written around the ORM); return how many. The caller commits."""
    table = db.metadata.tables["organisations"]
    sources = [table.c[name] for name in SOURCES]
    filled = 0
    while True:
        rows = db.session.execute(
            sa.select(table.c.id, *sources).where(table.c.name_key.is_(None)).limit(batch)
        ).all()
        if not rows:
            if filled and db.session.get_bind().dialect.name == "postgresql":
                # The planner learns how selective the new keys are before autovacuum runs.
                db.session.execute(sa.text("ANALYZE organisations"))
            return filled
        updates = [{"row_id": row.id, **keys_of(dict(row._mapping))} for row in rows]
        db.session.execute(table.update().where(table.c.id == sa.bindparam("row_id")), updates)
        filled += len(rows)

"""Find a partner: the organisations that offer what a need describes, best first, with reasons.

A need is words in either language ("sew 300 jackets", "печать на ткани малой партией"), picked
canonical capabilities, or both, with an optional quantity, kind, city and "residents only".
Only organisations offering a capability the need names are listed; each comes with its
reasons in plain words: which of its offers matched which words, its minimum order against the
quantity, resident or partner, and when the technopark verified it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _

from ..extensions import db
from ..models import KIND_LABELS, Organisation
from ..search import SearchQuery, backend, language, terms
from . import capabilities, quantities

# Providers listed at most: a shortlist, not a directory.
SHORTLIST = 30


@dataclass
class Need:
    text: str = ""
    capabilities: list[str] = field(default_factory=list)
    quantity: int | None = None
    kind: str = ""
    city: str = ""
    residents_only: bool = False
    # "min order ≤ N pieces": providers asking for more pieces are left out.
    max_min_order: int | None = None


@dataclass
class Match:
    org: object
    reasons: list[str]
    # The capabilities of the need it offers.
    offered: list[str]


@dataclass
class Shortlist:
    need: Need
    # The capabilities the need names (typed or picked).
    asked: list[str]
    matches: list[Match]
    # The quantity read from the words when none was given.
    quantity: quantities.Quantity | None = None


def _words_by_capability(text: str) -> dict[str, list[str]]:
    """Each capability the words name, with the words (as typed) that name it."""
    typed = [word for word in language.query_words(text) if not terms.is_stop_word(word)]
    vocab = capabilities.vocabulary()
    found: dict[str, list[str]] = {}
    for match in vocab.matches([frozenset(terms.word_terms(word)) for word in typed]):
        words = found.setdefault(match.slug, [])
        words.extend(w for w in typed[match.start : match.stop] if w not in words)
    for slug, words in list(found.items()):
        broader = vocab.by_slug[slug].broader
        if broader and broader not in found:
            found[broader] = list(words)
    return found


def read_quantity(need: Need) -> quantities.Quantity | None:
    """The quantity asked: the one given, else one written in the words ("300 jackets")."""
    if need.quantity is not None:
        return quantities.Quantity(need.quantity, "pieces")
    parsed = quantities.parse(need.text)
    if parsed:
        return parsed
    numbers = [word for word in language.words(need.text) if word.isdigit() and len(word) < 10]
    return quantities.Quantity(int(numbers[0]), "pieces") if numbers else None


def find(need: Need) -> Shortlist:
    """The organisations offering what the need names, best first, each with its reasons."""
    text = language.clean_query(need.text)
    named = _words_by_capability(text)
    asked = capabilities.vocabulary().sorted([*named, *need.capabilities])
    quantity = read_quantity(need)
    if not asked:
        return Shortlist(need, [], [], quantity)
    filters: dict[str, list[str]] = {"offers": asked}
    if need.kind:
        filters["kind"] = [need.kind]
    if need.city:
        filters["city"] = [need.city]
    if need.residents_only:
        filters["residency"] = ["resident"]
    search = backend()
    # Ranked by the words first; then the other providers, which lack some of the words.
    # Brief searches: the shortlist reads the hits' ids, neither facet counts nor snippets.
    hits = search.search(
        SearchQuery(text=text, filters=filters, per_page=SHORTLIST, brief=True)
    ).hits
    if len(hits) < SHORTLIST:
        query = SearchQuery(filters=filters, sort="name", per_page=SHORTLIST, brief=True)
        rest = search.search(query).hits
        seen = {hit.id for hit in hits}
        hits += [hit for hit in rest if hit.id not in seen]
    matches = []
    found = load([hit.id for hit in hits[:SHORTLIST]])
    for org in found:
        if not _takes(org, need.max_min_order):
            continue
        offered = [slug for slug in asked if slug in (org.offers or ())]
        matches.append(Match(org, reasons(org, offered, named, quantity), offered))
    # Most of the need offered first, the engine's order among equals.
    matches.sort(key=lambda match: -len(match.offered))
    return Shortlist(need, asked, matches, quantity)


# What the shortlist and the matches read of an organisation: no sectors, no long texts.
LISTED = (
    Organisation.id, Organisation.slug, Organisation.name, Organisation.kind,
    Organisation.residency, Organisation.verified_at, Organisation.offers,
    Organisation.needs_capabilities, Organisation.min_order, Organisation.min_order_quantity,
    Organisation.min_order_unit,
)  # fmt: skip


@dataclass
class Listed:
    """An organisation as a shortlist or a profile's matches show it (read as plain rows)."""

    id: int
    slug: str
    name: str
    kind: str
    residency: str
    verified_at: Any
    offers: list
    needs_capabilities: list
    min_order: str
    min_order_quantity: int | None
    min_order_unit: str

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


def load(ids: list[int]) -> list[Any]:
    """The published organisations of these ids, in their order, with what a list shows."""
    if not ids:
        return []
    rows = db.session.execute(
        sa.select(*LISTED).where(Organisation.id.in_(ids), Organisation.status == "published")
    )
    by_id = {row.id: Listed(*row) for row in rows}
    return [by_id[found] for found in ids if found in by_id]


def _takes(org, max_min_order: int | None) -> bool:
    # Only a minimum order in pieces is compared; one not stated is not held against it.
    if max_min_order is None or org.min_order_quantity is None:
        return True
    return org.min_order_unit != "pieces" or org.min_order_quantity <= max_min_order


def reasons(
    org, offered: list[str], named: dict[str, list[str]], quantity: quantities.Quantity | None
) -> list[str]:
    """Why an organisation is on the shortlist, in plain words."""
    found = []
    for slug in offered:
        label = capabilities.label(slug)
        words = named.get(slug)
        if words:
            found.append(
                _("Offers %(capability)s: matches “%(words)s”", capability=label,
                  words=" ".join(words))
            )  # fmt: skip
        else:
            found.append(_("Offers %(capability)s", capability=label))
    found.append(min_order_reason(org, quantity))
    if org.residency == "resident":
        found.append(_("Resident of the technopark"))
    elif org.residency == "partner":
        found.append(_("Partner of the technopark"))
    if org.verified_at:
        found.append(_("Verified by the technopark on %(date)s", date=format_date(org.verified_at)))
    return [reason for reason in found if reason]


def min_order_reason(org, quantity: quantities.Quantity | None) -> str:
    """The organisation's minimum order against the quantity asked."""
    if org.min_order_quantity is None:
        if org.min_order:
            return _("Minimum order: %(text)s", text=org.min_order)
        return "" if org.kind != "manufacturer" else _("Minimum order not stated")
    amount = f"{org.min_order_quantity:,}".replace(",", "\u202f")
    unit = quantities.unit_label(org.min_order_unit)
    if quantity is None or quantity.unit != org.min_order_unit:
        return _("Minimum order %(amount)s %(unit)s", amount=amount, unit=unit)
    if org.min_order_quantity <= quantity.amount:
        return _(
            "Minimum order %(amount)s %(unit)s: takes your %(quantity)s",
            amount=amount, unit=unit, quantity=quantity.amount,
        )  # fmt: skip
    return _(
        "Minimum order %(amount)s %(unit)s: more than your %(quantity)s",
        amount=amount, unit=unit, quantity=quantity.amount,
    )  # fmt: skip


# How many candidates one profile's matches are picked from.
CANDIDATES = 30


def _candidates(org, facet: str, slugs: list[str]) -> list[int]:
    """Ids of published organisations with any of these capabilities in a facet, newest
    first: one brief index query."""
    if not slugs:
        return []
    query = SearchQuery(filters={facet: slugs}, sort="newest", per_page=CANDIDATES, brief=True)
    return [hit.id for hit in backend().search(query).hits if hit.id != org.id]


def _standing(org) -> tuple:
    # Residents, then partners; verified before unverified; then by name.
    return (org.residency != "resident", org.verified_at is None, org.name.casefold())


def providers_for_needs(
    needs: list[str], candidates: list, limit: int = 3
) -> dict[str, list[Match]]:
    """Per capability needed, the best of these candidates offering it, with reasons; those
    offering more of the needs come first."""
    found: dict[str, list[Match]] = {}
    candidates = sorted(
        candidates, key=lambda other: (-len(set(needs) & set(other.offers or ())), _standing(other))
    )
    for slug in needs:
        offering = [other for other in candidates if slug in (other.offers or ())][:limit]
        if offering:
            found[slug] = [
                Match(other, reasons(other, [slug], {}, None), [slug]) for other in offering
            ]
    return found


def seekers_of_offers(offered: list[str], candidates: list, limit: int = 3) -> dict[str, list]:
    """Per capability offered, the first of these candidates that need it."""
    found: dict[str, list] = {}
    for slug in offered:
        needing = [other for other in candidates if slug in (other.needs_capabilities or ())]
        if needing:
            found[slug] = needing[:limit]
    return found


@dataclass
class ProfileMatches:
    """A profile's matches: who offers what it needs, and who needs what it offers."""

    providers: dict[str, list[Match]] = field(default_factory=dict)
    seekers: dict[str, list] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.providers or self.seekers)


def profile_matches(org) -> ProfileMatches:
    """The matches shown on a profile; an index problem only hides them."""
    from flask import current_app

    try:
        needs, offered = list(org.needs_capabilities or ()), list(org.offers or ())
        # An index query for each list, one read of the organisations for both.
        providers = _candidates(org, "offers", needs)
        seekers = _candidates(org, "needs", offered)
        listed = {other.id: other for other in load(providers + seekers)}
        return ProfileMatches(
            providers_for_needs(needs, [listed[i] for i in providers if i in listed]),
            seekers_of_offers(offered, [listed[i] for i in seekers if i in listed]),
        )
    except Exception:
        current_app.logger.exception("Matches unavailable for %s", org.slug)
        return ProfileMatches()

"""Likely duplicates: an organisation whose name, website, e-mail or phone is close to another's."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import cyrtranslit
import sqlalchemy as sa
from flask_babel import gettext as _
from rapidfuzz import fuzz, process

from ..extensions import db
from ..models import Organisation

NAME_THRESHOLD = 88
# Legal forms and filler words say nothing about which organisation a name means.
NOISE_WORDS = {
    "ooo",
    "oao",
    "zao",
    "pao",
    "ao",
    "ip",
    "nko",
    "ano",
    "llc",
    "ltd",
    "inc",
    "gmbh",
    "co",
    "corp",
    "company",
    "the",
    "and",
    "i",
}
# Hosts that many organisations share (social networks, site builders): there the path counts too.
SHARED_HOSTS = {
    "vk.com",
    "t.me",
    "telegram.me",
    "instagram.com",
    "facebook.com",
    "ok.ru",
    "youtube.com",
    "linktr.ee",
    "taplink.cc",
    "sites.google.com",
    "github.com",
    "behance.net",
    "dribbble.com",
    "wa.me",
    "tilda.ws",
    "wixsite.com",
    "linkedin.com",
}


def normalise_name(name: str) -> str:
    """A name's words in lower-case Latin letters, without punctuation and legal forms."""
    text = unicodedata.normalize("NFKC", name or "").casefold().replace("ё", "е")
    text = cyrtranslit.to_latin(text, "ru")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", text)
    return " ".join(word for word in words if word not in NOISE_WORDS)


def website_key(url: str) -> str:
    """The host of a website without www. (plus the path on shared hosts), or '' when none."""
    url = (url or "").strip().casefold()
    if not url:
        return ""
    if "://" not in url:
        url = "//" + url
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return ""
    host = host.removeprefix("www.")
    if "." not in host:
        return ""
    if host in SHARED_HOSTS or any(host.endswith("." + shared) for shared in SHARED_HOSTS):
        path = parts.path.strip("/")
        return f"{host}/{path}" if path else ""
    return host


def email_key(email: str) -> str:
    email = (email or "").strip().casefold()
    return email if "@" in email else ""


def phone_key(phone: str) -> str:
    """The digits of a phone number, with a Russian trunk 8 read as +7; '' when too short."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    return digits if len(digits) >= 7 else ""


@dataclass
class Candidate:
    id: int
    names: list[str]
    website: str
    email: str
    phone: str


class DuplicateFinder:
    """Every organisation's comparable keys, loaded once and checked against many new records."""

    def __init__(self, candidates: list[Candidate]):
        self.candidates = candidates
        # Keyed by (candidate index, name position) so a match leads back to its candidate.
        self.names = {
            (index, position): name
            for index, candidate in enumerate(candidates)
            for position, name in enumerate(candidate.names)
        }
        self.names_of_several_words = {key: name for key, name in self.names.items() if " " in name}
        self.by_key: dict[tuple[str, str], list[int]] = {}
        for candidate in candidates:
            for kind in ("website", "email", "phone"):
                value = getattr(candidate, kind)
                if value:
                    self.by_key.setdefault((kind, value), []).append(candidate.id)

    @classmethod
    def load(cls) -> DuplicateFinder:
        """Read the comparable columns of every organisation (not whole rows: there may be 100k)."""
        columns = (
            Organisation.id,
            Organisation.name,
            Organisation.name_alt,
            Organisation.website,
            Organisation.email,
            Organisation.phone,
        )
        return cls(
            [
                Candidate(
                    id=row.id,
                    names=sorted({normalise_name(row.name), normalise_name(row.name_alt)} - {""}),
                    website=website_key(row.website),
                    email=email_key(row.email),
                    phone=phone_key(row.phone),
                )
                for row in db.session.execute(sa.select(*columns))
            ]
        )

    def find(self, values: dict, exclude_id: int | None = None) -> list[tuple[Organisation, str]]:
        """Organisations like the record in values, each with the reason, closest first."""
        reasons: dict[int, list[str]] = {}
        scores: dict[int, float] = {}

        def note(candidate_id: int, reason: str, score: float) -> None:
            if candidate_id == exclude_id or reason in reasons.get(candidate_id, []):
                return
            reasons.setdefault(candidate_id, []).append(reason)
            scores[candidate_id] = scores.get(candidate_id, 0) + score

        names = {
            normalise_name(values.get("name") or ""),
            normalise_name(values.get("name_alt") or ""),
        }
        best: dict[int, float] = {}
        for name in names - {""}:
            for index, score in self.similar_names(name):
                best[index] = max(best.get(index, 0), score)
        for index, score in best.items():
            note(self.candidates[index].id, _("a similar name"), score)

        keys = {
            "website": website_key(values.get("website") or ""),
            "email": email_key(values.get("email") or ""),
            "phone": phone_key(values.get("phone") or ""),
        }
        # Reasons are listed together ("a similar name, the same phone number").
        labels = {
            "website": _("the same website (%(website)s)", website=keys["website"]),
            "email": _("the same e-mail (%(email)s)", email=keys["email"]),
            "phone": _("the same phone number"),
        }
        for kind, value in keys.items():
            for candidate_id in self.by_key.get((kind, value), []) if value else []:
                note(candidate_id, labels[kind], 100)

        if not reasons:
            return []
        found = db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(reasons)))
        ranked = sorted(found, key=lambda org: (-scores[org.id], org.name.casefold()))
        return [(org, ", ".join(reasons[org.id])) for org in ranked]

    def similar_names(self, name: str) -> list[tuple[int, float]]:
        """Candidate indexes with a name like this one, ignoring word order and small typos."""
        passes = [(fuzz.token_sort_ratio, self.names)]
        # A name inside a longer one ("Nord Textile" in "Nord Textile Lab") counts as alike,
        # but one common word inside a longer name ("Studio" in "Studio Nord") does not.
        if " " in name:
            passes.append((fuzz.token_set_ratio, self.names_of_several_words))
        found = []
        for scorer, choices in passes:
            for _name, score, key in process.extract(
                name, choices, scorer=scorer, processor=None, score_cutoff=NAME_THRESHOLD, limit=20
            ):
                found.append((key[0], score))
        return found


def likely_duplicates(
    values: dict, exclude_id: int | None = None
) -> list[tuple[Organisation, str]]:
    """Existing organisations close to the record in values (name, website, e-mail or phone)."""
    return DuplicateFinder.load().find(values, exclude_id=exclude_id)

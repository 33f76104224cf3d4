"""The keys that find a likely duplicate: a name's words, a website's host, an e-mail, a phone.

Each organisation stores its keys in indexed columns (Organisation.name_key ...), set on every
save by the model's flush hook, so the duplicate check looks them up instead of normalising
every row (services/duplicates.py).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

import cyrtranslit

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


# Organisation column -> the attribute its key is made from, and how.
KEY_COLUMNS = {
    "name_key": ("name", normalise_name),
    "name_alt_key": ("name_alt", normalise_name),
    "website_key": ("website", website_key),
    "email_key": ("email", email_key),
    "phone_key": ("phone", phone_key),
}
# Longest key of each column: keys are cut to fit (a cut name still finds its twin).
KEY_LENGTHS = {"name_key": 200, "name_alt_key": 200, "website_key": 300, "email_key": 254}


def keys_of(values) -> dict[str, str]:
    """The key columns for a record (a dict of values or an organisation)."""
    get = values.get if isinstance(values, dict) else lambda name: getattr(values, name, "")
    keys = {}
    for column, (source, make) in KEY_COLUMNS.items():
        key = make(get(source) or "")
        keys[column] = key[: KEY_LENGTHS.get(column, 60)]
    return keys

"""Quantities in free text ("50 pcs", "от 30 шт.", "1 м", "5 000 pieces a month") as numbers.

A manufacturer's minimum order and monthly capacity are typed as text; the number and its unit
are read from it on every save so a visitor can ask for "min order ≤ 300 pieces". Text that
holds no number with a known unit is kept as written and listed for staff.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

UNITS = ("pieces", "metres", "kilograms", "prints")
UNIT_LABELS = {
    "pieces": _l("pieces"),
    "metres": _l("metres"),
    "kilograms": _l("kilograms"),
    "prints": _l("prints"),
}
# How each unit is typed, folded ("ё" as "е"), without a final dot.
UNIT_WORDS = {
    "pieces": (
        "pcs", "pc", "piece", "pieces", "units", "unit", "items", "garments", "pairs",
        "шт", "штук", "штуки", "штука", "изделий", "изделия", "единиц", "пар",
    ),
    "metres": (
        "m", "metre", "metres", "meter", "meters", "rm", "lm",
        "м", "метр", "метра", "метров", "пог", "погонных", "погонный",
    ),
    "kilograms": ("kg", "kgs", "kilogram", "kilograms", "кг", "килограмм", "килограммов"),
    "prints": (
        "prints", "print", "impressions", "copies", "copy",
        "оттиск", "оттисков", "отт", "отпечатков", "принтов", "экз", "экземпляров", "экземпляра",
    ),
}  # fmt: skip
_UNIT_OF = {word: unit for unit, words in UNIT_WORDS.items() for word in words}
# A number (thousands apart by spaces, commas or dots) and the word after it.
_QUANTITY = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[  ,.]\d{3})+|\d+)(?:[.,]\d+)?\s*([^\W\d_]+)?", re.UNICODE
)
QUANTITY_MAX = 10**12


@dataclass(frozen=True)
class Quantity:
    amount: int
    unit: str


def parse(text: str | None) -> Quantity | None:
    """The first number of the text with a known unit after it, or None."""
    folded = (text or "").casefold().replace("ё", "е")
    for match in _QUANTITY.finditer(folded):
        digits = re.sub(r"\D", "", match.group(1))
        unit = _UNIT_OF.get(match.group(2) or "")
        if unit and digits and int(digits) <= QUANTITY_MAX:
            return Quantity(int(digits), unit)
    return None


def unit_label(unit: str) -> str:
    """A unit as the page's language names it."""
    return str(UNIT_LABELS.get(unit, unit))

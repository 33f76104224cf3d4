"""Exchange rates of data/rates.json: amounts in any listed currency made comparable in roubles.

The file states the date its rates are of; pages that show converted amounts show that date.
It is data reviewed like code, read once per process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

RATES_FILE = Path(__file__).resolve().parents[2] / "data" / "rates.json"


@dataclass(frozen=True)
class Rates:
    """Units of the base currency for one unit of each currency, as of a date."""

    of: date
    base: str
    per_unit: dict[str, float]

    def convert(self, amount: int | float | None, currency: str) -> float | None:
        """The amount in the base currency; None without an amount or for an unlisted currency.

        An amount without a currency is taken to be in the base currency, as the forms show
        roubles when none is given.
        """
        if amount is None:
            return None
        rate = self.per_unit.get((currency or self.base).upper())
        return None if rate is None else float(amount) * rate


def read(path: Path) -> Rates:
    """The rates table in a file; a malformed one is an error at start-up, not a wrong page."""
    data = json.loads(path.read_text(encoding="utf-8"))
    per_unit = {str(code).upper(): float(rate) for code, rate in data["rates"].items()}
    base = str(data["base"]).upper()
    if per_unit.get(base) != 1.0 or any(rate <= 0 for rate in per_unit.values()):
        raise ValueError(f"{path}: the base currency's rate must be 1 and every rate positive")
    return Rates(of=date.fromisoformat(data["date"]), base=base, per_unit=per_unit)


@cache
def current() -> Rates:
    """The rates of data/rates.json, read once per process."""
    return read(RATES_FILE)

"""What an organisation offers and needs, as canonical capabilities, and its quantities as numbers.

`refresh` runs whenever a record's values are applied (records.apply_record: staff's form, the
public submission, the import): capabilities, equipment and programmes give what it offers,
needs what it needs (services/capabilities.py). What staff or an import add or take away by
hand is remembered in capability_edits and kept on every later save.
"""

from __future__ import annotations

from typing import Any

from . import capabilities, quantities

# The free-text fields each list of canonical capabilities is found in.
SOURCES = {
    "offers": ("capabilities", "equipment", "programmes"),
    "needs_capabilities": ("needs",),
}


def _texts(org, names: tuple[str, ...]) -> list[str]:
    texts = []
    for name in names:
        for item in getattr(org, name) or ():
            if isinstance(item, dict):  # a programme
                texts.append(" ".join(str(part) for part in item.values() if part))
            else:
                texts.append(str(item))
    return texts


def found(org, column: str) -> list[str]:
    """The capabilities the organisation's own text gives for offers or needs_capabilities."""
    return capabilities.found_in(_texts(org, SOURCES[column]))


def refresh(org, values: dict[str, Any], before: dict[str, list[str]] | None = None) -> None:
    """Recompute offers, needs and quantities after `values` were applied; never commits.

    A column given in `values` is what staff (or a file) chose: what it adds to or takes away
    from what was shown before (`before`, the stored lists) becomes a hand edit.
    """
    vocab = capabilities.vocabulary()
    edits = {key: dict(value) for key, value in (org.capability_edits or {}).items()}
    for column in SOURCES:
        entry = edits.get(column, {})
        added, removed = set(entry.get("added", ())), set(entry.get("removed", ()))
        if column in values:
            shown = set((before or {}).get(column, ()))
            chosen = set(values[column] or ())
            added = (added | (chosen - shown)) - (shown - chosen)
            removed = (removed | (shown - chosen)) - (chosen - shown)
        auto = set(found(org, column))
        setattr(org, column, vocab.sorted((auto | added) - removed))
        if added or removed:
            edits[column] = {"added": vocab.sorted(added), "removed": vocab.sorted(removed)}
        else:
            edits.pop(column, None)
    if edits != (org.capability_edits or {}):
        org.capability_edits = edits
    fill_quantities(org)


def fill_quantities(org) -> None:
    """Read the minimum order and the capacity as numbers with a unit from their text."""
    for column in ("min_order", "capacity"):
        quantity = quantities.parse(getattr(org, column))
        amount, unit = (quantity.amount, quantity.unit) if quantity else (None, "")
        if getattr(org, f"{column}_quantity") != amount:
            setattr(org, f"{column}_quantity", amount)
        if getattr(org, f"{column}_unit") != unit:
            setattr(org, f"{column}_unit", unit)


def unreadable_quantities_query():
    """Organisations whose minimum order or capacity text holds no number with a known unit."""
    import sqlalchemy as sa

    from ..models import Organisation

    min_order = sa.and_(Organisation.min_order != "", Organisation.min_order_quantity.is_(None))
    capacity = sa.and_(Organisation.capacity != "", Organisation.capacity_quantity.is_(None))
    return (
        sa.select(Organisation)
        .where(Organisation.status != "archived", sa.or_(min_order, capacity))
        .order_by(Organisation.name, Organisation.id)
    )

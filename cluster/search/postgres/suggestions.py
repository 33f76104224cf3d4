"""Names completing what is being typed, from the process's arrays and match sets.

Which rows a prefix matches is asked of PostgreSQL once per generation and kept as a match set
(FacetTable.rows_where), brought up to date for the changed rows only after a write; the order
is the table's name places, so no statement sorts every match: "tex" matches thousands of
names at 100,000, and sorting them all for eight took most of a suggestion.
"""

from __future__ import annotations

import numpy as np

from .. import arrays
from ..base import Suggestion
from .facet_table import FacetTable
from .hits import by_id as rows_by_id

# A name word starting with :value (a LIKE pattern ending in %).
WORD_STARTS = "names ILIKE :value OR names ILIKE '% ' || :value"
# The name itself starting so, among those.
NAME_STARTS = f"name ILIKE :value AND ({WORD_STARTS})"


def suggest(conn, table: FacetTable, prefix: str, limit: int) -> list[Suggestion]:
    """Published names with a word starting with the prefix: those whose name starts with it
    first, each part in name order (then by id)."""
    start = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    matched = table.statuses(("published",)) & table.rows_where(conn, WORD_STARTS, start)
    rows = np.flatnonzero(matched)
    starting = table.rows_where(conn, NAME_STARTS, start)[rows]
    places = table.positions(conn, "name")
    chosen = arrays.page_by_position(rows[starting], places, 0, limit)
    if len(chosen) < limit:
        others = arrays.page_by_position(rows[~starting], places, 0, limit - len(chosen))
        chosen = np.concatenate([chosen, others])
    ids = table.ids[chosen].tolist()
    found = rows_by_id(conn, ids, "name, slug")
    return [Suggestion(name=found[i].name, slug=found[i].slug) for i in ids if i in found]

"""The large segments a generation begins with, worked out once for every generation holding
them: their facet columns joined, their rows in each sort order (generation.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import arrays
from .segments import segment_key

# Segments this large are joined once for every generation holding them (joined_facets).
STABLE_SIZE = 1000


@dataclass
class JoinedSegments:
    """What is worked out once for the large segments that kept generations begin with."""

    facets: dict[str, arrays.FacetColumn]
    # A sortable field's rows of these segments (docnums from their first) in its order.
    orders: dict[str, np.ndarray] = field(default_factory=dict)
    # A sortable field's keys looked up so far, by place in that order.
    keys: dict[str, dict[int, object]] = field(default_factory=dict)

    def run(self, fieldname: str, leaves: list) -> tuple[Sequence, np.ndarray]:
        """These segments as one run of merged_places: their keys in order, and their rows.

        Merged segment by segment, four segments of 25,000 cost 300,000 bisects of keys read
        one at a time, 450 ms of each process's first search after every edit; one sort of
        their keys costs a tenth of that, once.
        """
        starts = np.cumsum([0] + [leaf.doc_count_all() for leaf in leaves])
        order = self.orders.get(fieldname)
        if order is None:
            columns = [leaf.column_reader(fieldname) for leaf in leaves]
            values = [column[row] for column in columns for row in range(len(column))]
            order = np.array(sorted(range(len(values)), key=values.__getitem__), dtype=np.int64)
            self.orders[fieldname] = order
        # Opened when first needed: opening a column reads its offsets (5 ms a segment), and
        # the keys a bisect looks at are mostly kept from earlier generations.
        opened: dict[int, Any] = {}

        def key_of(row: int):
            segment = int(np.searchsorted(starts, row, side="right")) - 1
            column = opened.get(segment)
            if column is None:
                column = opened[segment] = leaves[segment].column_reader(fieldname)
            return column[row - int(starts[segment])]

        return arrays.KeysInOrder(order, key_of, self.keys.setdefault(fieldname, {})), order


def joined_facets(
    leaves: list, joined: dict
) -> tuple[tuple, dict[str, arrays.FacetColumn], JoinedSegments | None]:
    """The facet columns of these segments one after another, the key of the large ones and
    what is kept of them.

    The leading segments of STABLE_SIZE documents or more (a rebuild writes 25,000 to a
    segment) are joined once into one column each and kept in `joined`: a new generation
    adds only its small segments to them, which costs what they hold.
    """
    lead = 0
    while lead < len(leaves) and leaves[lead][1].size >= STABLE_SIZE:
        lead += 1
    facets = list(leaves[0][1].facets)
    parts = [[data.facets[facet] for _, data, _ in leaves] for facet in facets]
    key = tuple(segment_key(leaf) for leaf, _, _ in leaves[:lead])
    if lead < 2:
        concatenated = map(arrays.FacetColumn.concatenated, parts)
        return key, dict(zip(facets, concatenated, strict=True)), None
    large = joined.get(key)
    if large is None:
        large = joined[key] = JoinedSegments(
            {
                facet: arrays.FacetColumn.concatenated(columns[:lead]).compacted()
                for facet, columns in zip(facets, parts, strict=True)
            }
        )
    columns = {
        facet: arrays.FacetColumn.concatenated([large.facets[facet], *columns[lead:]])
        for facet, columns in zip(facets, parts, strict=True)
    }
    return key, columns, large

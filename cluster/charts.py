"""Charts drawn on the server as SVG: the geometry of bars and columns, in plain numbers that
a template turns into shapes. No script draws them, and each is shown beside its table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

# Horizontal bars: a column of labels, then the bars, then room for each bar's number.
BAR_WIDTH = 720
BAR_LABEL_WIDTH = 300
BAR_NUMBER_ROOM = 70
BAR_ROW = 30
BAR_THICKNESS = 20
# Columns (one a month): the plot between the axis labels on the left and under it.
COLUMN_WIDTH = 720
COLUMN_HEIGHT = 240
COLUMN_LEFT = 48
COLUMN_BOTTOM = 40
COLUMN_TOP = 12
# At most this many month labels under the axis, so they never overlap.
COLUMN_LABELS = 12


@dataclass(frozen=True)
class Item:
    """One figure of a chart: what it counts, how many, and where its row links to."""

    key: str
    label: str
    value: int
    href: str = ""
    # A class for its colour (a kind's own, for example); the chart's colour otherwise.
    tone: str = ""


@dataclass(frozen=True)
class Bar:
    item: Item
    y: float
    length: float

    @property
    def text_y(self) -> float:
        """The baseline of the bar's label and number, centred on the bar."""
        return self.y + BAR_THICKNESS / 2 + 4


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int = BAR_WIDTH
    label_width: int = BAR_LABEL_WIDTH
    thickness: int = BAR_THICKNESS

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * BAR_ROW


def bar_chart(items: Sequence[Item]) -> BarChart:
    """Bars as long as their values, the largest filling the space left by labels."""
    room = BAR_WIDTH - BAR_LABEL_WIDTH - BAR_NUMBER_ROOM
    largest = max((item.value for item in items), default=0) or 1
    bars = [
        Bar(
            item,
            y=row * BAR_ROW + (BAR_ROW - BAR_THICKNESS) / 2,
            length=room * item.value / largest,
        )
        for row, item in enumerate(items)
    ]
    return BarChart(bars)


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50 ... that is at least the value (1 for nothing)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


@dataclass(frozen=True)
class Column:
    item: Item
    x: float
    y: float
    width: float
    height: float
    # Shown under the axis; most months are left unlabelled so that labels never overlap.
    labelled: bool


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class ColumnChart:
    columns: list[Column]
    ticks: list[Tick] = field(default_factory=list)
    width: int = COLUMN_WIDTH
    height: int = COLUMN_HEIGHT
    left: int = COLUMN_LEFT
    bottom: float = COLUMN_HEIGHT - COLUMN_BOTTOM

    @property
    def label_y(self) -> float:
        return self.bottom + 18


def column_chart(items: Sequence[Item]) -> ColumnChart:
    """Columns side by side, their heights on a scale that ends at a round number."""
    plot_height = COLUMN_HEIGHT - COLUMN_BOTTOM - COLUMN_TOP
    bottom = COLUMN_HEIGHT - COLUMN_BOTTOM
    top = nice_ceiling(max((item.value for item in items), default=0))
    slot = (COLUMN_WIDTH - COLUMN_LEFT) / max(1, len(items))
    every = max(1, math.ceil(len(items) / COLUMN_LABELS))
    columns = []
    for index, item in enumerate(items):
        height = plot_height * item.value / top
        columns.append(
            Column(
                item,
                x=COLUMN_LEFT + index * slot + slot * 0.15,
                y=bottom - height,
                width=slot * 0.7,
                height=height,
                labelled=index % every == 0,
            )
        )
    ticks = [Tick(value, bottom - plot_height * value / top) for value in (0, top // 2, top)]
    return ColumnChart(columns, ticks=ticks if top > 1 else ticks[::2])

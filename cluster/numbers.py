"""The public "cluster in numbers" page: charts drawn on the server, each beside its table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import Blueprint, render_template, url_for

from . import browse, charts, models
from .services import numbers
from .templating import filter_url, format_date

bp = Blueprint("numbers", __name__)
# A month under the growth chart and in its table: "Mar 2024", "мар. 2024 г.".
MONTH_PATTERN = "LLL y"


def facet_items(
    name: str, counts: Mapping[str, int], labels: Mapping[str, str], order: Iterable[str] = ()
) -> list[charts.Item]:
    """One chart's figures: the values in the given order, or the largest first."""
    values = [value for value in order if value in counts] or sorted(
        counts, key=lambda value: (-counts[value], labels.get(value, value))
    )
    return [
        charts.Item(
            key=value,
            label=str(labels.get(value, value)),
            value=counts[value],
            href=filter_url(**{name: value}),
            tone=f"kind-{value}" if name == "kind" else "",
        )
        for value in values
    ]


def month_items(months: list[numbers.Month]) -> list[charts.Item]:
    """The growth chart's figures: each month's total of published organisations at its end."""
    return [
        charts.Item(
            key=month.start.isoformat(),
            label=format_date(month.start, MONTH_PATTERN),
            value=month.total,
        )
        for month in months
    ]


@bp.get("/numbers")
def page():
    """Show published organisations by kind, sector and stage, and their growth by month."""
    figures = numbers.current()
    labels = browse.search_labels()
    kinds = facet_items("kind", figures.facets.get("kind", {}), labels["kind"])
    sectors = facet_items("sector", figures.facets.get("sector", {}), labels["sector"])
    stages = facet_items(
        "stage", figures.facets.get("stage", {}), labels["stage"], order=models.STAGE_LABELS
    )
    growth = month_items(figures.months)
    return render_template(
        "public/numbers.html",
        figures=figures,
        charts={
            "kind": (kinds, charts.bar_chart(kinds)),
            "sector": (sectors, charts.bar_chart(sectors)),
            "stage": (stages, charts.bar_chart(stages)),
        },
        months=figures.months,
        growth=growth,
        growth_chart=charts.column_chart(growth),
        directory_url=url_for("public.organisations"),
        facet_titles=browse.FILTER_TITLES,
    )

"""The filter sidebar of the directory and the search page: its sort form and checkbox groups."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask import url_for
from wtforms import Form, HiddenField, SelectChoice, SelectField

from . import models, search
from .models import Sector
from .services import directory
from .services.directory import DirectoryQuery

SORT_LABELS = {"relevance": "Best match", "name": "Name (A–Z)", "newest": "Newest first"}
FILTER_TITLES = {
    "kind": "Kind",
    "residency": "Residency",
    "sector": "Sector",
    "stage": "Stage",
    "city": "City",
    "looking_for": "Looking for",
}
# Past this many options a group scrolls inside the sidebar rather than push Apply off screen.
LONG_GROUP = 15


def sort_choices(sorts: Sequence[str]) -> list[SelectChoice]:
    """The choices of a sort select, in the order the page offers its sorts."""
    return [SelectChoice(sort, SORT_LABELS[sort]) for sort in sorts]


# GET forms that only render: the services' parsers read the query arguments, and a search
# changes nothing, so neither carries a CSRF token.
class DirectoryFiltersForm(Form):
    """The directory's sort select."""

    sort = SelectField("Sort by", choices=sort_choices(directory.SORTS))


class SearchFiltersForm(Form):
    """The search page's sort select, with the words searched for carried along."""

    q = HiddenField()
    sort = SelectField("Sort by", choices=sort_choices(search.SORTS))


@dataclass
class FilterOption:
    """One checkbox: the value sent, the label shown, how many organisations have it."""

    value: str
    label: str
    count: int
    checked: bool


@dataclass
class FilterGroup:
    """The checkboxes of one filter, e.g. every kind with its count."""

    name: str
    title: str
    options: list[FilterOption]

    @property
    def long(self) -> bool:
        """Whether the group has so many options that it scrolls on its own."""
        return len(self.options) > LONG_GROUP


@dataclass
class FilterPanel:
    """What the sidebar shows: where it submits, its form and groups, how to clear it."""

    action: str
    form: Form
    groups: list[FilterGroup]
    # How each filter value reads, for the chips of the active filters as well.
    labels: Mapping[str, Mapping[str, str]]
    # None when nothing is chosen and there is nothing to clear.
    clear_url: str | None
    active_count: int


def filter_group(
    name: str,
    counts: Mapping[str, int],
    labels: Mapping[str, str],
    selected: Sequence[str],
    keep_selected: bool = False,
) -> FilterGroup:
    """One group of checkboxes; keep_selected adds chosen values that match nothing, at 0."""
    values = list(counts)
    if keep_selected:
        values += [value for value in selected if value not in counts]
    options = [
        FilterOption(value, labels.get(value, value), counts.get(value, 0), value in selected)
        for value in values
    ]
    return FilterGroup(name=name, title=FILTER_TITLES[name], options=options)


def directory_filters(
    query: DirectoryQuery,
    kinds: Mapping[str, int],
    residencies: Mapping[str, int],
    sectors: Sequence[tuple[Sector, int]],
    cities: Sequence[tuple[str, int]],
) -> FilterPanel:
    """The directory's sidebar from the counts of published organisations per value."""
    labels = {
        "kind": dict(models.KIND_LABELS),
        "residency": dict(models.RESIDENCY_LABELS),
        "sector": {sector.slug: sector.name for sector, _ in sectors},
        "city": {},
    }
    counts = {
        "kind": dict(kinds),
        "residency": dict(residencies),
        "sector": {sector.slug: count for sector, count in sectors},
        "city": dict(cities),
    }
    names = ["kind", "residency", "sector"]
    # Cities come from the data, so their group appears once some organisation has one.
    if cities:
        names.append("city")
    groups = [
        filter_group(name, counts[name], labels[name], query.filters.get(name, []))
        for name in names
    ]
    clearable = query.active or query.sort != "name"
    return FilterPanel(
        action=url_for("public.organisations"),
        form=DirectoryFiltersForm(data={"sort": query.sort}),
        groups=groups,
        labels=labels,
        clear_url=url_for("public.organisations") if clearable else None,
        active_count=sum(len(values) for values in query.filters.values()),
    )


def search_filters(
    query: search.SearchQuery,
    facets: Mapping[str, Mapping[str, int]],
    labels: Mapping[str, Mapping[str, str]],
) -> FilterPanel:
    """The search page's sidebar from the result's facet counts."""
    # A chosen value keeps its checkbox even when nothing matches it any more.
    groups = [
        filter_group(
            name, counts, labels.get(name, {}), query.filters.get(name, []), keep_selected=True
        )
        for name, counts in facets.items()
        if counts or query.filters.get(name)
    ]
    clear_url = url_for("search.results", q=query.text or None) if query.filters else None
    return FilterPanel(
        action=url_for("search.results"),
        form=SearchFiltersForm(data={"q": query.text, "sort": query.sort}),
        groups=groups,
        labels=labels,
        clear_url=clear_url,
        active_count=sum(len(values) for values in query.filters.values()),
    )

"""The filter sidebar of the directory and the search page: its sort form and checkbox groups."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l
from wtforms import Form, HiddenField, SelectChoice, SelectField

from . import search
from .i18n import lang
from .services import directory
from .services.directory import DirectoryQuery
from .templating import name_in

SORT_LABELS = {
    "relevance": _l("Best match"),
    "name": _l("Name (A–Z)"),
    "newest": _l("Newest first"),
}
FILTER_TITLES = {
    "kind": _l("Kind"),
    "residency": _l("Residency"),
    "sector": _l("Sector"),
    "stage": _l("Stage"),
    "city": _l("City"),
    # Canonical capabilities; "looking_for" stays a filter of the URLs and the API only.
    "offers": _l("Offers"),
    "needs": _l("Needs"),
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

    sort = SelectField(_l("Sort by"), choices=sort_choices(directory.SORTS))


class SearchFiltersForm(Form):
    """The search page's sort select, with the words searched for carried along."""

    q = HiddenField()
    sort = SelectField(_l("Sort by"), choices=sort_choices(search.SORTS))


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
        FilterOption(value, str(labels.get(value, value)), counts.get(value, 0), value in selected)
        for value in values
    ]
    return FilterGroup(name=name, title=str(FILTER_TITLES[name]), options=options)


def as_text(labels: Mapping[str, object]) -> dict[str, str]:
    """Labels in the page's language, as plain text (lazy ones translated now)."""
    return {value: str(label) for value, label in labels.items()}


def search_labels() -> dict[str, dict[str, str]]:
    """How each facet value reads on the search page, sectors named in the page's language."""
    labels = {name: as_text(values) for name, values in search.facet_labels().items()}
    labels["sector"] = sector_labels()
    return labels


def sector_labels() -> dict[str, str]:
    """Every sector's name in the page's language, by slug."""
    language = lang()
    names = directory.sector_names()
    return {slug: name_in(language, name, name_ru) for slug, name, name_ru in names}


def facet_groups(
    chosen: Mapping[str, Sequence[str]],
    facets: Mapping[str, Mapping[str, int]],
    labels: Mapping[str, Mapping[str, str]],
) -> list[FilterGroup]:
    """A group per facet with counts or a choice; a chosen value that matches nothing is kept."""
    return [
        filter_group(name, counts, labels.get(name, {}), chosen.get(name, []), keep_selected=True)
        for name, counts in facets.items()
        if name in FILTER_TITLES and (counts or chosen.get(name))
    ]


def directory_filters(
    query: DirectoryQuery, facets: Mapping[str, Mapping[str, int]]
) -> FilterPanel:
    """The directory's sidebar from the engine's facet counts, as the search page shows them."""
    # Every sector named, so a chosen one that matches nothing still reads as its name.
    labels = search_labels()
    groups = facet_groups(query.filters, facets, labels)
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
    groups = facet_groups(query.filters, facets, labels)
    clear_url = url_for("search.results", q=query.text or None) if query.filters else None
    return FilterPanel(
        action=url_for("search.results"),
        form=SearchFiltersForm(data={"q": query.text, "sort": query.sort}),
        groups=groups,
        labels=labels,
        clear_url=clear_url,
        active_count=sum(len(values) for values in query.filters.values()),
    )

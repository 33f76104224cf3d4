"""The public lists as files: the directory, a filter or a search as .xlsx or CSV for Excel.

A file holds the list in the page's order, at most DOWNLOAD_ROWS organisations (read from the
search engine a page at a time), with the public columns of the import and export format and
each profile's address.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from werkzeug.datastructures import MultiDict

from .. import fields, search
from ..models import Organisation
from . import exporter, spreadsheets

# Enough for any list a person reads through; a whole large directory is the API's job.
DOWNLOAD_ROWS = 1_000
# Organisations asked from the search engine at a time (PostgreSQL answers 100 at most).
SEARCH_PAGE = 100
FORMATS = {
    "xlsx": spreadsheets.XLSX_MEDIA_TYPE,
    "csv": "text/csv; charset=utf-8",
}


def download_query(args: MultiDict, text: bool) -> search.SearchQuery:
    """The search a page's download runs: its words (on the search page), filters and order."""
    query = search.query_from_args(args)
    return search.SearchQuery(
        text=query.text if text else "",
        filters=query.filters,
        sort=query.sort if text or query.sort != "relevance" else "newest",
        per_page=SEARCH_PAGE,
    )


def listed(query: search.SearchQuery, limit: int | None = None) -> list[Organisation]:
    """The published organisations the query finds, in its order, at most `limit`."""
    limit = DOWNLOAD_ROWS if limit is None else limit
    found: list[Organisation] = []
    page = 1
    while len(found) < limit:
        query.page = page
        result = search.backend().search(query)
        found += [cast(Organisation, org) for _hit, org in search.with_organisations(result.hits)]
        if page >= result.pages:
            break
        page += 1
    return found[:limit]


def as_file(
    orgs: list[Organisation], file_format: str, profile: Callable[[Organisation], str]
) -> bytes:
    """The file's bytes: the public columns, then each profile's address."""
    extra = [("profile", profile)]
    if file_format == "xlsx":
        return spreadsheets.export_xlsx(orgs, fields.PUBLIC_COLUMNS, extra=extra)
    return exporter.export_excel_csv(orgs, fields.PUBLIC_COLUMNS, extra=extra).encode("utf-8")

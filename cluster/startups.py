"""The investor view: startups by sector, stage and funding sought, amounts made comparable."""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections.abc import Iterator
from typing import Any

from babel.numbers import get_currency_symbol
from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import get_locale, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from .errors import error_response
from .extensions import limiter
from .fields import FUNDING_MAX
from .models import STAGE_LABELS, STAGES
from .services import directory, downloads, investors, parsers, spreadsheets
from .services.exporter import neutralise
from .templating import sector_name

bp = Blueprint("startups", __name__)
# Rows loaded from the database at a time while a download is written.
DOWNLOAD_BATCH = 500
SORT_LABELS = {
    "amount": _l("Largest amount first"),
    "amount_asc": _l("Smallest amount first"),
    "newest": _l("Newest first"),
    "stage": _l("By stage, earliest first"),
}


def parse_query(args: MultiDict) -> tuple[investors.StartupQuery, list[str]]:
    """The list's filters from the address, and a message for each value that was ignored."""
    known = {sector.slug for sector in directory.all_sectors()}
    errors: list[str] = []
    query = investors.StartupQuery(
        sectors=list(dict.fromkeys(s for s in args.getlist("sector")[:50] if s in known)),
        stages=list(dict.fromkeys(s for s in args.getlist("stage")[:10] if s in STAGES)),
        sort=str(args.get("sort")) if args.get("sort") in investors.SORTS else "amount",
        page=directory.parse_page(args.get("page")),
        per_page=current_app.config["PER_PAGE"],
    )
    for name, label in (("from", pgettext("amount", "From")), ("to", pgettext("amount", "To"))):
        try:
            value = parsers.whole_number(FUNDING_MAX)((args.get(name) or "")[:40])
        except parsers.Invalid as error:
            errors.append(_("%(field)s: %(message)s", field=label, message=str(error)))
            continue
        setattr(query, "low" if name == "from" else "high", value)
    return query, errors


@bp.get("/startups")
def startups():
    """List published startups for investors: filter by sector, stage and amount, and sort."""
    query, errors = parse_query(request.args)
    listed, arrays = investors.list_startups(query)
    orgs = investors.load(arrays.startups.ids[listed.rows])
    shown = arrays.startups.ids[listed.rows].tolist()
    converted = arrays.startups.amounts[listed.rows].tolist()
    # NaN (no amount, or no rate for its currency) becomes None for the page.
    amounts = {i: None if math.isnan(a) else a for i, a in zip(shown, converted, strict=True)}
    page = directory.Page(
        items=orgs,
        total=listed.total,
        page=listed.page,
        pages=listed.pages,
        per_page=query.per_page,
    )
    args: dict[str, Any] = request.args.to_dict(flat=False)
    args.pop("page", None)
    return render_template(
        "public/startups.html",
        query=query,
        page=page,
        amounts=amounts,
        rates=arrays.rates,
        # ₽ on a Russian page, RUB on an English one.
        base_symbol=get_currency_symbol(arrays.rates.base, locale=get_locale()),
        sectors=directory.all_sectors(),
        sector_counts=listed.sector_counts,
        stage_counts=listed.stage_counts,
        sort_labels=SORT_LABELS,
        errors=errors,
        csv_url=url_for("startups.download", **args),
        excel_csv_url=url_for("startups.download", **args, format="excel"),
        xlsx_url=url_for("startups.download_xlsx", **args),
    ), (400 if errors else 200)


def table(query: investors.StartupQuery) -> tuple[list[str], Iterator[list]]:
    """The whole list as a header and rows of values (amounts as numbers), loaded a batch of
    rows at a time."""
    rows, arrays = investors.all_rows(query)
    base = arrays.rates.base
    header = [
        _("Name"),
        _("Profile"),
        _("Stage"),
        _("Sectors"),
        _("Funding sought"),
        _("Currency"),
        _("Funding sought in %(currency)s", currency=base),
        _("Rates of"),
        _("City"),
        _("Website"),
    ]

    def values() -> Iterator[list]:
        for start in range(0, len(rows), DOWNLOAD_BATCH):
            yield from batch_values(rows[start : start + DOWNLOAD_BATCH], arrays)

    return header, values()


def batch_values(batch, arrays) -> Iterator[list]:
    """One batch of the list's rows."""
    converted = dict(
        zip(
            arrays.startups.ids[batch].tolist(),
            arrays.startups.amounts[batch].tolist(),
            strict=True,
        )
    )
    for org in investors.load(arrays.startups.ids[batch]):
        amount = converted.get(org.id)
        yield [
            org.name,
            url_for("public.profile", slug=org.slug, _external=True),
            str(STAGE_LABELS.get(org.stage or "", org.stage or "")),
            "; ".join(sector_name(sector) for sector in org.sectors),
            org.funding_sought,
            org.currency,
            None if amount is None or math.isnan(amount) else round(amount),
            arrays.rates.of.isoformat(),
            org.city,
            org.website,
        ]


def csv_lines(query: investors.StartupQuery, excel: bool = False) -> Iterator[str]:
    """The whole list as CSV lines, formula-safe, written a batch of rows at a time; for
    Excel, after a BOM and with ";" between cells, as a Russian Excel opens them."""
    header, rows = table(query)
    out = io.StringIO()
    if excel:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=";" if excel else ",", lineterminator="\r\n")
    writer.writerow(header)
    for number, row in enumerate(rows, start=1):
        writer.writerow([neutralise("" if value is None else str(value)) for value in row])
        if number % DOWNLOAD_BATCH == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


@bp.get("/startups.csv")
# Every matching startup, not a page of them: counted with the other downloads.
@limiter.shared_limit(lambda: current_app.config["DOWNLOAD_RATE_LIMIT"], scope="downloads")
def download():
    """Download the investor view's current list (every page of it) as CSV."""
    query, errors = parse_query(request.args)
    if errors:
        return error_response(400, " ".join(errors), _("Not a valid amount"))
    body = "".join(csv_lines(query, excel=request.args.get("format") == "excel"))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="startups.csv"'},
    )


@bp.get("/startups.xlsx")
# A workbook of the whole list costs far more than a page: counted with the other downloads.
@limiter.shared_limit(lambda: current_app.config["DOWNLOAD_RATE_LIMIT"], scope="downloads")
def download_xlsx():
    """Download the investor view's current list as an Excel workbook, its first 1,000 rows
    as the directory's downloads (a workbook costs about 0.3 ms a row to write)."""
    query, errors = parse_query(request.args)
    if errors:
        return error_response(400, " ".join(errors), _("Not a valid amount"))
    header, rows = table(query)
    first = itertools.islice(rows, downloads.DOWNLOAD_ROWS)
    return Response(
        spreadsheets.table_xlsx(header, first, sheet_title=_("Startups")),
        mimetype=spreadsheets.XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="startups.xlsx"'},
    )

"""Staff import and export in the browser: upload, preview, confirm with progress; download."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from .. import fields
from ..access import staff_required
from ..errors import wants_json
from ..extensions import db
from ..models import KIND_LABELS, STATUSES, Organisation
from ..services import audit, exporter, import_jobs, listings
from .forms import ImportForm, RunForm

bp = Blueprint("transfer", __name__)


def load_job(token: str) -> import_jobs.Job:
    """The import with this token, for the staff member who uploaded it only (404 otherwise)."""
    try:
        job = import_jobs.load(token)
    except import_jobs.JobMissing:
        abort(404)
    # The token is hard to guess, but a link seen over a shoulder or in a log must not let
    # another staff member read the file's preview, run it or cancel it.
    if job.user_id != current_user.id:
        abort(404)
    return job


@bp.route("/import", methods=["GET", "POST"])
@staff_required
def upload():
    """Take a CSV or JSON file and show what importing it would do, before anything is written."""
    form = ImportForm()
    refused: list[str] = []
    more_refused = 0
    if form.validate_on_submit():
        try:
            job = import_jobs.start(form.file.data, current_user._get_current_object())
        except import_jobs.UploadRefused as error:
            refused, more_refused = list(error.args), error.more
        else:
            return redirect(url_for(".job", token=job.token), 303)
    status = 422 if refused or form.errors else 200
    return (
        render_template(
            "staff/import.html",
            form=form,
            refused=refused,
            more_refused=more_refused,
            max_mb=import_jobs.max_bytes() // 2**20,
            columns=fields.COLUMNS,
        ),
        status,
    )


@bp.get("/import/<token>")
@staff_required
def job(token: str):
    """Show an import's preview, its progress while it runs, or what it did."""
    found = load_job(token)
    return render_template(
        "staff/import_job.html", job=found, form=RunForm(), limit=import_jobs.PREVIEW_LIMIT
    )


@bp.post("/import/<token>/run")
@staff_required
def run(token: str):
    """Write the next chunk of an import's rows; answer JSON to the progress script."""
    found = load_job(token)
    form = RunForm()
    if not form.validate_on_submit():
        abort(400)
    if found.errors:
        flash(_("This file has invalid rows: correct them and upload it again."), "error")
    elif found.duplicates and not found.started and not form.confirm_duplicate.data:
        message = _("Tick the box to confirm the likely duplicates, or cancel the import.")
        flash(message, "warning")
    else:
        found = import_jobs.run_chunk(found, current_user._get_current_object())
    if wants_json():
        return jsonify(found.progress())
    return redirect(url_for(".job", token=token), 303)


@bp.post("/import/<token>/cancel")
@staff_required
def cancel(token: str):
    """Forget an import that has not been written, removing its file."""
    found = load_job(token)
    if not RunForm().validate_on_submit():
        abort(400)
    import_jobs.cancel(found.token)
    if not found.started:
        message = _(
            "The import of %(name)s was cancelled; nothing was written.", name=found.filename
        )
        flash(message, "info")
    return redirect(url_for(".upload"), 303)


@bp.get("/export")
@staff_required
def export():
    """Download the staff list, filtered as on /staff/organisations, as xlsx, CSV or JSON."""
    file_format = request.args.get("format", "csv")
    if file_format not in exporter.DOWNLOADS:
        abort(400, description=_("Choose the format xlsx, csv, excel or json."))
    text = request.args.get("q", "")[:200]
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    stmt = listings.staff_query(
        text, status if status in STATUSES else "", kind if kind in KIND_LABELS else ""
    ).options(selectinload(Organisation.sectors))
    orgs = list(db.session.scalars(stmt))
    body = exporter.download(orgs, file_format)
    filters = ", ".join(
        f"{k}={v}" for k, v in (("q", text), ("status", status), ("kind", kind)) if v
    )
    target = ngettext(
        "%(num)d organisation as %(format)s",
        "%(num)d organisations as %(format)s",
        len(orgs),
        format=file_format,
    )
    audit.log("export", target, detail=filters)
    db.session.commit()
    media_type, extension = exporter.DOWNLOADS[file_format]
    filename = f"organisations-{date.today():%Y-%m-%d}.{extension}"
    return Response(
        body,
        mimetype=None,
        content_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )

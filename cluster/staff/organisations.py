"""Staff editing organisations: the list of every status, creating, editing, edit conflicts."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from ..access import staff_required
from ..extensions import db
from ..forms import OrganisationForm, form_data
from ..models import KIND_LABELS, STATUSES, Organisation
from ..services import conflicts, directory, lifecycle, listings, organisations
from ..services.duplicates import likely_duplicates
from .forms import ActionForm, RestoreForm

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


def get_organisation(slug: str) -> Organisation:
    """The organisation with this slug, or a 404."""
    org = organisations.find(slug)
    if org is None:
        abort(404)
    return org


@bp.get("")
@staff_required
def index():
    """List organisations of every status, searched and filtered."""
    text = request.args.get("q", "")[:200]
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    page = listings.staff_list(
        text,
        status if status in STATUSES else "",
        kind if kind in KIND_LABELS else "",
        directory.parse_page(request.args.get("page")),
        per_page=50,
    )
    return render_template(
        "staff/organisations.html", page=page, q=text, status=status, kind=kind, statuses=STATUSES
    )


def organisation_form(org: Organisation | None, formdata=None, data=None) -> OrganisationForm:
    """The edit form, its status choices those the lifecycle allows from here."""
    kwargs = {"sector_choices": listings.sector_choices()}
    if formdata is not None:
        kwargs["formdata"] = formdata
    form = OrganisationForm(data=data, **kwargs)
    form["status"].choices = [
        choice
        for choice in form["status"].choices
        if choice.value in lifecycle.status_choices(org, current_user)
    ]
    return form


def checked_values(form: OrganisationForm, org: Organisation | None = None):
    """Validate the form and the record's rules; put each error next to its field."""
    valid = form.validate()
    values, errors = organisations.parse(form.raw_record(), org)
    for error in errors:
        field = form._fields.get(error.column, form["name"])
        if not field.errors:
            field.errors = [*field.errors, error.message[:1].upper() + error.message[1:]]
    return values if valid and not errors else None


def edit_page(form: OrganisationForm, org: Organisation | None, status: int = 200, **context):
    """The edit page, with the lifecycle actions the current user may take."""
    return render_template(
        "staff/edit.html",
        form=form,
        org=org,
        actions=lifecycle.actions(org, current_user) if org else set(),
        restore_form=RestoreForm(),
        action_form=ActionForm(),
        **context,
    ), status


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def create():
    """Add an organisation."""
    form = organisation_form(None)
    if request.method == "GET":
        return edit_page(form, None)
    values = checked_values(form)
    if values is None:
        return edit_page(form, None, 422)
    if not form.confirm_duplicate.data:
        duplicates = likely_duplicates(values)
        if duplicates:
            return edit_page(form, None, duplicates=duplicates)
    org = organisations.create(values, current_user)
    db.session.commit()
    flash(_("%(name)s was created.", name=org.name), "success")
    return redirect(url_for(".edit", slug=org.slug))


def resolved_formdata(org: Organisation) -> MultiDict:
    """A conflict's answer: the stored values, with the typed value for each field taken so."""
    data: MultiDict[str, str] = MultiDict()
    for name, value in form_data(org).items():
        if request.form.get(f"take-{name}") == "typed":
            data.setlist(name, request.form.getlist(name))
        elif isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value
    data["version"] = request.form.get("version", "")
    data["csrf_token"] = request.form.get("csrf_token", "")
    return data


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@staff_required
def edit(slug: str):
    """Edit an organisation; a form built from an older version gets the conflict page."""
    org = organisations.find(slug)
    if org is None:
        renamed = organisations.find_renamed(slug)
        if renamed is None:
            abort(404)
        # 307 keeps the method and the body: a form opened before a rename still arrives,
        # and its old version number leads it to the conflict page.
        return redirect(url_for(".edit", slug=renamed.slug), 307)
    org_id = org.id
    if request.method == "GET":
        return edit_page(organisation_form(org, data=form_data(org)), org)
    resolving = request.form.get("resolve") == "1"
    form = organisation_form(org, formdata=resolved_formdata(org) if resolving else None)
    values = checked_values(form, org)
    if values is None:
        return edit_page(form, org, 422)
    version = form.version.data or ""
    expected = int(version) if version.isdigit() and len(version) < 10 else None
    try:
        revision = organisations.update(org, values, current_user, expected)
        db.session.commit()
    except organisations.LifecycleError as error:
        db.session.rollback()
        form["status"].errors = [str(error)]
        return edit_page(form, db.session.get(Organisation, org_id), 422)
    except (organisations.EditConflict, StaleDataError):
        db.session.rollback()
        org = db.session.get(Organisation, org_id)
        if org is None:
            abort(410)
        return conflict(org, form, values, expected)
    if revision:
        flash(_("Saved."), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for(".edit", slug=org.slug))


def conflict(org: Organisation, form: OrganisationForm, values: dict, expected: int | None):
    """The conflict page: a choice for each field both sides changed, the rest kept."""
    comparison = conflicts.compare(org, values, expected)
    # The answer is built from the version now stored, with the typed values chosen per field.
    form.version.data = str(org.version)
    return (
        render_template(
            "staff/conflict.html",
            form=form,
            org=org,
            comparison=comparison,
            expected=expected,
        ),
        409,
    )

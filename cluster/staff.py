"""Staff area: login, the dashboard, editing organisations, their history, the audit log."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from .auth import admin_required, staff_required
from .extensions import db, limiter
from .forms import ActionForm, LoginForm, OrganisationForm, RestoreForm, UserChangeForm, UserForm
from .models import KIND_LABELS, STATUSES, Organisation, Revision, User
from .services import accounts, audit, directory, organisations, revisions
from .services.duplicates import likely_duplicates

bp = Blueprint("staff", __name__, url_prefix="/staff")

LOGIN_LIMIT = "10 per minute"
TOO_MANY = "Too many attempts, try again later."
WRONG_LOGIN = "Wrong e-mail or password."


def failed_login(response) -> bool:
    return response.status_code != 302


def login_account_key() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def safe_next(target: str | None) -> str | None:
    """The target if it is a path on this site, else None (no other host, scheme or trickery)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.app_template_filter("revision_value")
def revision_value(value) -> str:
    return revisions.display(value)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"], deduct_when=failed_login, error_message=TOO_MANY)
@limiter.limit(
    LOGIN_LIMIT,
    methods=["POST"],
    key_func=login_account_key,
    deduct_when=failed_login,
    error_message=TOO_MANY,
)
def login():
    """Log a staff member in."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("staff.dashboard"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            audit.log("login", user, user=user)
            db.session.commit()
            return redirect(next_url or url_for("staff.dashboard"))
        audit.log("login-failed", form.email.data.strip()[:200])
        db.session.commit()
        error = WRONG_LOGIN
    elif request.method == "POST":
        error = WRONG_LOGIN
    return render_template("staff/login.html", form=form, error=error, next_url=next_url)


@bp.post("/logout")
@staff_required
def logout():
    """Log out."""
    audit.log("logout", current_user._get_current_object())
    logout_user()
    db.session.commit()
    flash("You are logged out.", "info")
    return redirect(url_for("staff.login"))


@bp.get("/")
@staff_required
def dashboard():
    """Show pending submissions, recent changes and counts by status."""
    return render_template(
        "staff/dashboard.html",
        counts=organisations.counts_by_status(),
        pending=organisations.pending(),
        recent=organisations.recently_changed(),
        statuses=STATUSES,
    )


@bp.get("/organisations")
@staff_required
def organisation_list():
    """List organisations of every status, searched and filtered."""
    text = request.args.get("q", "")[:200]
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    page = organisations.staff_list(
        text,
        status if status in STATUSES else "",
        kind if kind in KIND_LABELS else "",
        directory.parse_page(request.args.get("page")),
        per_page=50,
    )
    return render_template(
        "staff/organisations.html", page=page, q=text, status=status, kind=kind, statuses=STATUSES
    )


def organisation_form(formdata=None, data=None) -> OrganisationForm:
    kwargs = {"sector_choices": organisations.sector_choices()}
    if formdata is not None:
        kwargs["formdata"] = formdata
    return OrganisationForm(data=data, **kwargs)


def checked_values(form: OrganisationForm, org: Organisation | None = None):
    """Validate the form and the record's rules; put each error next to its field."""
    valid = form.validate()
    values, errors = organisations.parse(form.raw_record(), org)
    for error in errors:
        field = form._fields.get(error.column, form.name)
        if not field.errors:
            field.errors = [*field.errors, error.message[:1].upper() + error.message[1:]]
    return values if valid and not errors else None


@bp.route("/organisations/new", methods=["GET", "POST"])
@staff_required
def create():
    """Add an organisation."""
    form = organisation_form()
    if request.method == "POST":
        values = checked_values(form)
        duplicates = (
            [] if values is None or form.confirm_duplicate.data else likely_duplicates(values)
        )
        if duplicates:
            return render_template("staff/edit.html", form=form, org=None, duplicates=duplicates)
        if values is not None:
            org = organisations.create(values, current_user)
            db.session.commit()
            flash(f"{org.name} was created.", "success")
            return redirect(url_for("staff.edit", slug=org.slug))
        return render_template("staff/edit.html", form=form, org=None), 422
    return render_template("staff/edit.html", form=form, org=None)


def get_organisation(slug: str) -> Organisation:
    org = organisations.find(slug)
    if org is None:
        abort(404)
    return org


def resolved_formdata(org: Organisation) -> MultiDict:
    """A conflict's answer: the stored values, with the typed value for each field taken so."""
    data: MultiDict[str, str] = MultiDict()
    for field, value in organisations.form_values(org).items():
        if request.form.get(f"take-{field}") == "typed":
            data.setlist(field, request.form.getlist(field))
        elif isinstance(value, list):
            data.setlist(field, value)
        else:
            data[field] = value
    data["version"] = request.form.get("version", "")
    data["csrf_token"] = request.form.get("csrf_token", "")
    return data


@bp.route("/organisations/<slug>/edit", methods=["GET", "POST"])
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
        return redirect(url_for("staff.edit", slug=renamed.slug), 307)
    org_id = org.id
    if request.method == "GET":
        return render_template(
            "staff/edit.html", form=organisation_form(data=organisations.form_values(org)), org=org
        )
    resolving = request.form.get("resolve") == "1"
    form = organisation_form(formdata=resolved_formdata(org) if resolving else None)
    values = checked_values(form, org)
    if values is None:
        return render_template("staff/edit.html", form=form, org=org), 422
    version = form.version.data or ""
    expected = int(version) if version.isdigit() and len(version) < 10 else None
    try:
        revision = organisations.update(org, values, current_user, expected)
        db.session.commit()
    except (organisations.EditConflict, StaleDataError):
        db.session.rollback()
        org = db.session.get(Organisation, org_id)
        if org is None:
            abort(410)
        return conflict(org, form, values, expected)
    flash("Saved." if revision else "Nothing changed.", "success" if revision else "info")
    return redirect(url_for("staff.edit", slug=org.slug))


def conflict(org: Organisation, form: OrganisationForm, values: dict, expected: int | None):
    fields = organisations.conflicting_fields(org, values, expected)
    # The answer is built from the version now stored, with the typed values chosen per field.
    form.version.data = str(org.version)
    return (
        render_template(
            "staff/conflict.html", form=form, org=org, fields=fields, expected=expected
        ),
        409,
    )


@bp.post("/organisations/<slug>/<any(publish, archive):action>")
@staff_required
def change_status(slug: str, action: str):
    """Publish or archive an organisation."""
    org = get_organisation(slug)
    if ActionForm().validate_on_submit():
        getattr(organisations, action)(org, current_user)
        db.session.commit()
        flash(f"{org.name} is now {org.status}.", "success")
    return redirect(url_for("staff.edit", slug=org.slug))


@bp.post("/organisations/<slug>/restore")
@staff_required
def restore(slug: str):
    """Bring an archived organisation back as published or as a draft."""
    org = get_organisation(slug)
    form = RestoreForm()
    if org.status != "archived":
        flash("Only an archived organisation can be restored.", "error")
    elif form.validate_on_submit():
        organisations.restore(org, current_user, form.status.data)
        db.session.commit()
        flash(f"{org.name} is back, as {org.status}.", "success")
    return redirect(url_for("staff.edit", slug=org.slug))


@bp.route("/organisations/<slug>/delete", methods=["GET", "POST"])
@admin_required
def delete(slug: str):
    """Delete an organisation after a confirmation."""
    org = get_organisation(slug)
    form = ActionForm()
    if form.validate_on_submit():
        name = org.name
        organisations.delete(org, current_user)
        db.session.commit()
        flash(f"{name} was deleted.", "success")
        return redirect(url_for("staff.organisation_list"))
    return render_template("staff/delete.html", org=org, form=form)


@bp.get("/organisations/<slug>/history")
@staff_required
def history(slug: str):
    """List an organisation's revisions with each changed field."""
    org = get_organisation(slug)
    return render_template(
        "staff/history.html", org=org, revisions=revisions.history(org), form=ActionForm()
    )


@bp.post("/organisations/<slug>/revisions/<int:revision_id>/restore")
@staff_required
def restore_revision(slug: str, revision_id: int):
    """Put an organisation back as it was after a revision."""
    org = get_organisation(slug)
    revision = db.session.get(Revision, revision_id)
    if revision is None or revision.organisation_id != org.id:
        abort(404)
    if ActionForm().validate_on_submit():
        new = organisations.restore_revision(org, revision, current_user)
        db.session.commit()
        if new:
            flash(f"Restored the version {revision.version} as a new revision.", "success")
        else:
            flash("That version is what is stored now; nothing changed.", "info")
    return redirect(url_for("staff.history", slug=org.slug))


@bp.get("/audit")
@admin_required
def audit_log():
    """List every staff action, newest first."""
    page = audit.entries(directory.parse_page(request.args.get("page")), per_page=100)
    return render_template("staff/audit.html", page=page)


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    """List staff users and add one."""
    form = UserForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.email.data, form.password.data, role=form.role.data, name=form.name.data or ""
            )
        except accounts.AccountError as error:
            form.email.errors = [*form.email.errors, str(error)]
            status = 422
        else:
            db.session.flush()
            audit.log("user-create", user, f"role {user.role}")
            db.session.commit()
            flash(f"{user.email} can now log in as {user.role}.", "success")
            return redirect(url_for("staff.users"))
    elif request.method == "POST":
        status = 422
    return render_template(
        "staff/users.html", form=form, users=accounts.all_users(), change_form=UserChangeForm
    ), status


@bp.post("/users/<int:user_id>")
@admin_required
def change_user(user_id: int):
    """Change a user's role or disable the account."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = UserChangeForm()
    if user.id == current_user.id:
        flash("You cannot change your own role or disable your own account.", "error")
    elif form.validate_on_submit():
        detail = accounts.change_user(user, role=form.role.data, active=form.active.data == "1")
        if detail:
            audit.log("user-change", user, detail)
            db.session.commit()
            flash(f"{user.email}: {detail}.", "success")
    return redirect(url_for("staff.users"))

"""The staff area's own forms: login, buttons, restore, users, moderation, logos, imports.

The organisation form itself is built from the field spec in cluster/forms.py. Labels and
messages are lazy: the forms are defined at import time and shown in the page's language.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import options
from ..models import ROLES
from ..services.accounts import ROLE_LABELS
from ..services.lifecycle import STATUS_LABELS


class LoginForm(FlaskForm):
    email = StringField(
        _l("E-mail"), [DataRequired(), Length(max=254)], render_kw={"autocomplete": "username"}
    )
    password = PasswordField(
        _l("Password"),
        [DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels with it."""


class RestoreForm(FlaskForm):
    status = SelectField(
        _l("Restore as"),
        choices=options((status, STATUS_LABELS[status]) for status in ("published", "draft")),
        default="published",
    )


class UserForm(FlaskForm):
    email = StringField(_l("E-mail"), [DataRequired(), Length(max=254)])
    # A person's name (Имя), not an organisation's (Название).
    name = StringField(lazy_pgettext("person", "Name"), [Optional(), Length(max=120)])
    role = SelectField(_l("Role"), choices=options((role, ROLE_LABELS[role]) for role in ROLES))
    password = PasswordField(_l("Password"), [DataRequired(), Length(max=1024)])


class UserChangeForm(FlaskForm):
    role = SelectField(_l("Role"), choices=options((role, ROLE_LABELS[role]) for role in ROLES))
    active = SelectField(
        _l("Account"), choices=options([("1", _l("Active")), ("0", _l("Disabled"))])
    )


class SendBackForm(FlaskForm):
    note = TextAreaField(
        _l("Note to the organisation"),
        [DataRequired(_l("Write what should be corrected.")), Length(max=5000)],
    )


class RejectForm(FlaskForm):
    reason = StringField(_l("Reason (kept in the audit log)"), [Optional(), Length(max=500)])


class DeclineIntroductionForm(FlaskForm):
    note = TextAreaField(
        _l("Why it is declined (kept with the request and in the audit log)"),
        [DataRequired(_l("Write why the request is declined.")), Length(max=2000)],
    )


class LogoForm(FlaskForm):
    logo = FileField(
        _l("Logo"),
        [FileRequired(_l("Choose an image file."))],
        description=_l("PNG, JPEG or WebP, at most 2 MB; it is resized to 512 pixels at most."),
    )


class ImportForm(FlaskForm):
    file = FileField(
        _l("Excel, CSV or JSON file"),
        [FileRequired(_l("Choose an .xlsx, .csv or .json file to import."))],
    )


class RunForm(FlaskForm):
    """Starts or continues the writing; the box is needed when the preview found duplicates."""

    confirm_duplicate = BooleanField(
        _l("I have looked at the likely duplicates: import these anyway")
    )

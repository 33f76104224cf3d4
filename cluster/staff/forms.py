"""The staff area's own forms: login, buttons, restore, users, moderation, logos, imports.

The organisation form itself is built from the field spec in cluster/forms.py.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import options
from ..models import ROLES


class LoginForm(FlaskForm):
    email = StringField(
        "E-mail", [DataRequired(), Length(max=254)], render_kw={"autocomplete": "username"}
    )
    password = PasswordField(
        "Password",
        [DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels with it."""


class RestoreForm(FlaskForm):
    status = SelectField(
        "Restore as",
        choices=options([("published", "Published"), ("draft", "Draft")]),
        default="published",
    )


class UserForm(FlaskForm):
    email = StringField("E-mail", [DataRequired(), Length(max=254)])
    name = StringField("Name", [Optional(), Length(max=120)])
    role = SelectField("Role", choices=options((role, role.capitalize()) for role in ROLES))
    password = PasswordField("Password", [DataRequired(), Length(max=1024)])


class UserChangeForm(FlaskForm):
    role = SelectField("Role", choices=options((role, role.capitalize()) for role in ROLES))
    active = SelectField("Account", choices=options([("1", "Active"), ("0", "Disabled")]))


class SendBackForm(FlaskForm):
    note = TextAreaField(
        "Note to the organisation",
        [DataRequired("Write what should be corrected."), Length(max=5000)],
    )


class RejectForm(FlaskForm):
    reason = StringField("Reason (kept in the audit log)", [Optional(), Length(max=500)])


class LogoForm(FlaskForm):
    logo = FileField(
        "Logo",
        [FileRequired("Choose an image file.")],
        description="PNG, JPEG or WebP, at most 2 MB; it is resized to 512 pixels at most.",
    )


class ImportForm(FlaskForm):
    file = FileField("CSV or JSON file", [FileRequired("Choose a .csv or .json file to import.")])


class RunForm(FlaskForm):
    """Starts or continues the writing; the box is needed when the preview found duplicates."""

    confirm_duplicate = BooleanField("I have looked at the likely duplicates: import these anyway")

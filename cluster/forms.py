"""The organisation forms, staff's and the public's, built from the field spec.

They check shape and size; the rules of a record live in services/parsers.py, reached through
services/records.py, so a form, a CSV row and a JSON object are judged alike.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from . import fields
from .fields import Kind
from .models import Organisation
from .services import records


def options(pairs) -> list[SelectChoice]:
    """Choices for a select or a checkbox group from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes; a value may also arrive as one `a;b;c` string (as in the CSV)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist):
        values = [part.strip() for value in valuelist for part in value.split(";")]
        super().process_formdata([value for value in values if value])


# Choices the public makes itself: nothing is preselected, and one must be chosen (a
# preselected "resident" would make every outside organisation a resident unless it noticed).
ASKED_OF_THE_PUBLIC = ("residency",)


def form_field(field: fields.Field, *, public: bool = False):
    """The WTForms field for one field of the spec (for the public's form, or for staff's)."""
    if field.kind is Kind.CHOICE:
        asked = public and field.name in ASKED_OF_THE_PUBLIC
        blank_label = _l("Choose one") if asked else field.blank
        blank = [("", blank_label)] if blank_label is not None else []
        return SelectField(
            field.label,
            choices=options([*blank, *field.choices]),
            validators=[InputRequired() if field.required or asked else Optional()],
            default=None if asked else field.default,
        )
    if field.kind is Kind.CHOICES:
        return MultiCheckboxField(
            field.label, choices=options(field.choices), description=field.hint
        )
    checks = [InputRequired() if field.required else Optional(), Length(max=field.max_length)]
    if field.kind in (Kind.LINE, Kind.NUMBER):
        return StringField(field.label, checks, description=field.hint)
    return TextAreaField(field.label, checks, description=field.hint)


class RecordForm(FlaskForm):
    """A form carrying an organisation record; `with_fields` adds the spec's fields to it."""

    FIELDS: tuple[fields.Field, ...] = ()

    def __init__(self, *args, sector_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self["sectors"].choices = options(sector_choices)

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        return tuple(field.name for field in cls.FIELDS)

    def fieldsets(self) -> list[tuple[fields.Fieldset, list]]:
        """Each fieldset with its bound form fields, in the order they are shown."""
        shown = []
        for fieldset in fields.FIELDSETS:
            members = [self[f.name] for f in fields.in_fieldset(fieldset, self.columns())]
            if members:
                shown.append((fieldset, members))
        return shown

    def raw_record(self) -> dict[str, str]:
        """The typed values as one import record (records.parse_record splits lists itself)."""
        raw = {}
        for field in self.FIELDS:
            data = self[field.name].data
            raw[field.name] = ";".join(data or []) if field.kind is Kind.CHOICES else data or ""
        return raw


def with_fields(*, public: bool):
    """Add the spec's fields to a RecordForm class: all of them, or those the public fills."""

    def add(cls: type[RecordForm]) -> type[RecordForm]:
        chosen = tuple(f for f in fields.FIELDS if not (public and f.staff_only))
        for field in chosen:
            setattr(cls, field.name, form_field(field, public=public))
        cls.FIELDS = chosen
        return cls

    return add


@with_fields(public=False)
class OrganisationForm(RecordForm):
    """Every editable field of an organisation, named exactly like the import's columns."""

    version = HiddenField()
    # Shown with the likely-duplicate warning on creation; not a column of the record.
    confirm_duplicate = BooleanField(_l("This is a different organisation: save it anyway"))


@with_fields(public=True)
class SubmissionForm(RecordForm):
    """The public's "Add your organisation": no status or slug, plus a honeypot."""

    # People never see this field (a CSS class hides it); form-filling robots fill it in.
    homepage = StringField(_l("Leave this field empty"), [Optional(), Length(max=300)])
    # Shown under a one-line summary of each fieldset, which keeps the page short.
    FOLDED = fields.FOLDED
    confirm_duplicate = BooleanField(_l("This is a different organisation: send it anyway"))


def form_data(org: Organisation) -> dict[str, Any]:
    """The organisation as the staff form shows it: lists one item per line, checkboxes as lists."""
    text = records.to_text_record(org)
    values: dict[str, Any] = {}
    for field in fields.FIELDS:
        if field.kind is Kind.CHOICES:
            values[field.name] = records.text_items(org, field)
        elif field.kind in (Kind.LIST, Kind.PROGRAMMES):
            values[field.name] = "\n".join(records.text_items(org, field))
        else:
            values[field.name] = text[field.name]
    values["version"] = str(org.version)
    return values

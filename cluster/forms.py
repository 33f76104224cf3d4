"""Staff forms. They check shape and size; the rules of a record live in services/records.py."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from .models import (
    KIND_LABELS,
    LOOKING_FOR,
    LOOKING_FOR_LABELS,
    RESIDENCY_LABELS,
    ROLES,
    STAGE_LABELS,
    STATUSES,
)

LIST_HINT = "One per line, or separated by ;"


def options(pairs) -> list[SelectChoice]:
    """Choices for a select or a checkbox group from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


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
        "Bring back as",
        choices=options([("published", "Published"), ("draft", "Draft")]),
        default="published",
    )


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes; a value may also arrive as one `a;b;c` string (as in the CSV)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist):
        values = [part.strip() for value in valuelist for part in value.split(";")]
        super().process_formdata([value for value in values if value])


def text(label, max_length, description="", required=False):
    checks = [InputRequired() if required else Optional(), Length(max=max_length)]
    return StringField(label, checks, description=description)


def area(label, max_length, description=""):
    return TextAreaField(label, [Optional(), Length(max=max_length)], description=description)


def choice(label, pairs, blank=None, default=None):
    choices = ([("", blank)] if blank is not None else []) + list(pairs)
    return SelectField(label, choices=options(choices), validators=[Optional()], default=default)


class OrganisationForm(FlaskForm):
    """Every editable field of an organisation, named exactly like the import's CSV columns."""

    slug = text(
        "Address name (slug)", 120, "Part of the profile's address; made from the name when empty."
    )
    name = text("Name", 200, required=True)
    name_alt = text("Name in the second language", 200)
    kind = choice("Kind", KIND_LABELS.items(), blank="Choose a kind")
    residency = choice("Residency", RESIDENCY_LABELS.items(), default="resident")
    status = choice("Status", [(s, s.capitalize()) for s in STATUSES], default="draft")
    summary = area("Summary", 300, "One or two sentences shown in lists and search results.")
    description = area("Description", 20_000)
    sectors = MultiCheckboxField("Sectors", choices=[])
    tags = area("Tags", 5_000, LIST_HINT)
    capabilities = area("Capabilities offered", 10_000, LIST_HINT)
    needs = area("Needs", 10_000, LIST_HINT)
    looking_for = MultiCheckboxField(
        "Looking for", choices=options((value, LOOKING_FOR_LABELS[value]) for value in LOOKING_FOR)
    )
    stage = choice("Stage", STAGE_LABELS.items(), blank="—")
    funding_sought = text("Funding sought", 20, "A whole number, e.g. 250000.")
    currency = text("Currency", 3, "Three letters, e.g. EUR.")
    founded_year = text("Founded (year)", 10)
    team_size = text("Team size", 10)
    city = text("City", 120)
    address = text("Address", 300)
    building = text("Building", 60)
    floor = text("Floor", 20)
    unit = text("Unit", 20)
    capacity = text("Capacity", 200)
    website = text("Website", 300, "Starting with https:// or http://")
    email = text("E-mail", 254)
    phone = text("Phone", 60)
    social_links = area("Social links", 5_000, "One address per line")
    equipment = area("Equipment", 10_000, LIST_HINT)
    min_order = text("Minimum order", 120)
    programmes = area("Programmes", 10_000, "One per line: name | level | format | duration")
    version = HiddenField()
    # Shown with the likely-duplicate warning on creation; not a column of the record.
    confirm_duplicate = BooleanField("This is a different organisation: save it anyway")

    # (legend, fields, kind or None): a kind's fieldset is shown only for that kind.
    FIELDSETS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
        ("Identity", ("name", "name_alt", "slug", "kind", "residency", "status"), None),
        ("Description", ("summary", "description", "sectors", "tags"), None),
        ("Offers and needs", ("capabilities", "needs", "looking_for"), None),
        ("Startup", ("stage", "funding_sought", "currency"), "startup"),
        ("Manufacturer", ("equipment", "min_order", "capacity"), "manufacturer"),
        ("Educational institution", ("programmes",), "education"),
        ("Facts", ("founded_year", "team_size"), None),
        ("Location", ("city", "address", "building", "floor", "unit"), None),
        ("Contacts", ("website", "email", "phone", "social_links"), None),
    )
    # Fields that take several values; the CSV separates them with `;`.
    CHOICE_LISTS = ("sectors", "looking_for")

    def __init__(self, *args, sector_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sectors.choices = options(sector_choices)

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        return tuple(name for _, names, _ in cls.FIELDSETS for name in names)

    def raw_record(self) -> dict[str, str]:
        """The typed values as one import record (records.parse_record splits lists itself)."""
        raw = {}
        for name in self.columns():
            data = self[name].data
            if name in self.CHOICE_LISTS:
                raw[name] = ";".join(data or [])
            else:
                raw[name] = data or ""
        return raw


class UserForm(FlaskForm):
    email = StringField("E-mail", [DataRequired(), Length(max=254)])
    name = StringField("Name", [Optional(), Length(max=120)])
    role = SelectField("Role", choices=options((role, role.capitalize()) for role in ROLES))
    password = PasswordField("Password", [DataRequired(), Length(max=1024)])


class UserChangeForm(FlaskForm):
    role = SelectField("Role", choices=options((role, role.capitalize()) for role in ROLES))
    active = SelectField("Account", choices=options([("1", "Active"), ("0", "Disabled")]))

"""The organisation record's fields, declared once.

Every column of the import and export, every editable field and its form control, the fieldset
it is shown in, the search document's columns and the benchmark generator's columns derive from
FIELDS. Adding a field means one entry here and a migration for its column.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from flask_babel import lazy_gettext as _l

from .models import (
    INSTRUMENT_LABELS,
    INSTRUMENTS,
    INVESTOR_TYPE_LABELS,
    INVESTOR_TYPES,
    KIND_LABELS,
    KINDS,
    LOOKING_FOR,
    LOOKING_FOR_LABELS,
    RESIDENCIES,
    RESIDENCY_LABELS,
    STAGE_LABELS,
    STAGES,
    STATUS_LABELS,
    STATUSES,
)
from .services import capabilities, contacts, parsers
from .services.parsers import Parser

LIST_HINT = _l("One per line, or separated by ;")
# description is TEXT in the database; this keeps one profile to a readable size.
DESCRIPTION_MAX = 20_000
FUNDING_MAX = 10**15
TEAM_SIZE_MAX = 10_000_000


class Kind(Enum):
    """What a field holds, which decides its form control and how it is written as text."""

    LINE = "line"  # one line of text
    TEXT = "text"  # text with line breaks
    NUMBER = "number"  # a whole number, typed as text
    CHOICE = "choice"  # one value of a fixed list, a select
    CHOICES = "choices"  # any values of a list, checkboxes; ";" in a CSV cell
    LIST = "list"  # short texts, one per line; "; " in a CSV cell
    PROGRAMMES = "programmes"  # a list of "name | level | format | duration"


@dataclass(frozen=True)
class Fieldset:
    name: str
    # Lazy, like every label of the spec: translated when a page shows it.
    legend: str
    # A kind's own fieldset is shown only for organisations of that kind.
    kind: str | None = None


FIELDSETS = (
    Fieldset("identity", _l("Identity")),
    Fieldset("description", _l("Description")),
    Fieldset("offers", _l("Offers and needs")),
    Fieldset("startup", _l("Startup"), "startup"),
    Fieldset("manufacturer", _l("Manufacturer"), "manufacturer"),
    Fieldset("education", _l("Educational institution"), "education"),
    Fieldset("investor", _l("Investor"), "investor"),
    Fieldset("facts", _l("Facts")),
    Fieldset("location", _l("Location")),
    Fieldset("contacts", _l("Contacts")),
)


@dataclass(frozen=True)
class Field:
    name: str
    # label, hint, blank and the choices' labels are lazy: translated when a page shows them.
    label: str
    fieldset: str
    kind: Kind
    # Cleans a raw value or raises parsers.Invalid; None for sectors, parsed against the
    # taxonomy in the database (records.parse_record).
    parse: Parser | None
    # The most characters a form or a cell may carry for it.
    max_length: int
    hint: str = ""
    required: bool = False
    # Choices as (value, label); sectors get theirs from the database.
    choices: tuple[tuple[str, str], ...] = ()
    # A select's empty option and a select's preselected value on a new form.
    blank: str | None = None
    default: str | None = None
    # Staff set it; the public submission form leaves it out.
    staff_only: bool = False
    # Optional and seldom given: the public form folds it under a one-line summary, open by
    # itself when it holds a value or an error. A kind's own fields never fold.
    fold: bool = False
    # A column of data/demo.csv and of the benchmark generator's records.
    in_demo: bool = True
    # Read by the search document (cluster/search/documents.py).
    searched: bool = False

    @property
    def empty(self) -> Any:
        """The value an organisation holds when nothing was given."""
        if self.kind in (Kind.LIST, Kind.CHOICES, Kind.PROGRAMMES):
            return []
        optional_choice = self.kind is Kind.CHOICE and self.blank is not None and not self.required
        if self.kind is Kind.NUMBER or optional_choice:
            return None
        return ""


def _pairs(values, labels) -> tuple[tuple[str, str], ...]:
    return tuple((value, labels.get(value, value.capitalize())) for value in values)


FIELDS: tuple[Field, ...] = (
    Field("name", _l("Name"), "identity", Kind.LINE, parsers.line(200), 200, required=True,
          searched=True),
    Field("name_alt", _l("Name in the second language"), "identity", Kind.LINE,
          parsers.line(200), 200, searched=True, fold=True),
    Field("slug", _l("Address name (slug)"), "identity", Kind.LINE, parsers.slug, 120,
          hint=_l("Part of the profile's address; made from the name when empty."),
          staff_only=True, searched=True),
    Field("kind", _l("Kind"), "identity", Kind.CHOICE,
          parsers.choice(KINDS, KIND_LABELS,
                         _l("unknown kind %(value)s; use one of: %(allowed)s")),
          40, required=True, choices=_pairs(KINDS, KIND_LABELS), blank=_l("Choose a kind"),
          searched=True),
    Field("residency", _l("Residency"), "identity", Kind.CHOICE,
          parsers.choice(RESIDENCIES, RESIDENCY_LABELS,
                         _l("unknown residency %(value)s; use one of: %(allowed)s"),
                         empty="resident"), 40,
          choices=_pairs(RESIDENCIES, RESIDENCY_LABELS), default="resident", searched=True),
    Field("status", _l("Status"), "identity", Kind.CHOICE,
          parsers.choice(STATUSES, {}, _l("unknown status %(value)s; use one of: %(allowed)s"),
                         empty="published"), 40,
          choices=_pairs(STATUSES, STATUS_LABELS), default="draft", staff_only=True,
          searched=True),
    Field("summary", _l("Summary"), "description", Kind.TEXT, parsers.line(300), 300,
          hint=_l("One or two sentences shown in lists and search results."), searched=True),
    Field("description", _l("Description"), "description", Kind.TEXT,
          parsers.multiline(DESCRIPTION_MAX), DESCRIPTION_MAX, searched=True),
    Field("summary_alt", _l("Summary in the second language"), "description", Kind.TEXT,
          parsers.line(300), 300, in_demo=False, searched=True,
          hint=_l("The summary in Russian if it is written in English, or the other way round; "
                  "visitors reading that language see it instead."), fold=True),
    Field("description_alt", _l("Description in the second language"), "description",
          Kind.TEXT, parsers.multiline(DESCRIPTION_MAX), DESCRIPTION_MAX, in_demo=False,
          searched=True, fold=True),
    Field("sectors", _l("Sectors"), "description", Kind.CHOICES, None, 5_000, searched=True),
    Field("tags", _l("Tags"), "description", Kind.LIST, parsers.text_list, 5_000,
          hint=LIST_HINT, searched=True, fold=True),
    Field("capabilities", _l("Capabilities offered"), "offers", Kind.LIST, parsers.text_list,
          10_000, hint=LIST_HINT, searched=True, fold=True),
    Field("needs", _l("Needs"), "offers", Kind.LIST, parsers.text_list, 10_000, hint=LIST_HINT,
          searched=True, fold=True),
    Field("looking_for", _l("Looking for"), "offers", Kind.CHOICES,
          parsers.choices(LOOKING_FOR, {},
                          _l("unknown looking_for value %(value)s; use one of: %(allowed)s")),
          5_000,
          choices=_pairs(LOOKING_FOR, LOOKING_FOR_LABELS), searched=True, fold=True),
    # Canonical capabilities (data/capabilities.toml), found in the text on every save; staff
    # may tick or untick them, and a file may name them by slug, label or synonym.
    Field("offers", _l("Offers (canonical capabilities)"), "offers", Kind.CHOICES,
          capabilities.parse_list, 5_000, choices=capabilities.choices(), staff_only=True,
          in_demo=False, searched=True,
          hint=_l("Found in the capabilities, equipment and programmes when saved; what you "
                  "tick or untick here is kept on later saves.")),
    Field("needs_capabilities", _l("Needs (canonical capabilities)"), "offers", Kind.CHOICES,
          capabilities.parse_list, 5_000, choices=capabilities.choices(), staff_only=True,
          in_demo=False, searched=True,
          hint=_l("Found in the needs when saved; what you tick or untick here is kept on "
                  "later saves.")),
    Field("stage", _l("Stage"), "startup", Kind.CHOICE,
          parsers.choice(STAGES, STAGE_LABELS,
                         _l("unknown stage %(value)s; use one of: %(allowed)s")),
          40, choices=_pairs(STAGES, STAGE_LABELS), blank="—", searched=True),
    Field("funding_sought", _l("Funding sought"), "startup", Kind.NUMBER,
          parsers.whole_number(FUNDING_MAX), 20, hint=_l("A whole number, e.g. 250000.")),
    Field("currency", _l("Currency"), "startup", Kind.LINE, parsers.currency, 3,
          hint=_l("Three letters, e.g. EUR.")),
    Field("founded_year", _l("Founded (year)"), "facts", Kind.NUMBER, parsers.year, 10, fold=True),
    Field("team_size", _l("Team size"), "facts", Kind.NUMBER,
          parsers.whole_number(TEAM_SIZE_MAX), 10, fold=True),
    Field("city", _l("City"), "location", Kind.LINE, parsers.line(120), 120, searched=True,
          fold=True),
    Field("address", _l("Address"), "location", Kind.LINE, parsers.line(300), 300, fold=True),
    Field("building", _l("Building"), "location", Kind.LINE, parsers.line(60), 60, fold=True),
    Field("floor", _l("Floor"), "location", Kind.LINE, parsers.line(20), 20, in_demo=False,
          fold=True),
    Field("unit", _l("Unit"), "location", Kind.LINE, parsers.line(20), 20, in_demo=False,
          fold=True),
    Field("website", _l("Website"), "contacts", Kind.LINE, contacts.url(300), 300,
          hint=_l("Starting with https:// or http://")),
    Field("email", _l("E-mail"), "contacts", Kind.LINE, contacts.email(254), 254),
    Field("phone", _l("Phone"), "contacts", Kind.LINE, contacts.phone(60), 60, fold=True),
    Field("social_links", _l("Social links"), "contacts", Kind.LIST, contacts.links(300), 5_000,
          hint=_l("One address per line"), in_demo=False, fold=True),
    Field("equipment", _l("Equipment"), "manufacturer", Kind.LIST, parsers.text_list, 10_000,
          hint=LIST_HINT, searched=True),
    Field("min_order", _l("Minimum order"), "manufacturer", Kind.LINE, parsers.line(120), 120),
    Field("capacity", _l("Capacity"), "manufacturer", Kind.LINE, parsers.line(200), 200,
          in_demo=False),
    Field("programmes", _l("Programmes"), "education", Kind.PROGRAMMES, parsers.programmes, 10_000,
          hint=_l("One per line: name | level | format | duration"), searched=True),
    # An investor's focus is its sectors (above) and these stages; services/investors.py
    # matches it against startups' sectors, stage and funding sought.
    Field("investor_type", _l("Type of investor"), "investor", Kind.CHOICE,
          parsers.choice(INVESTOR_TYPES, INVESTOR_TYPE_LABELS,
                         _l("unknown investor type %(value)s; use one of: %(allowed)s")),
          40, choices=_pairs(INVESTOR_TYPES, INVESTOR_TYPE_LABELS), blank="—", searched=True),
    Field("focus_stages", _l("Stages invested in"), "investor", Kind.CHOICES,
          parsers.choices(STAGES, STAGE_LABELS,
                          _l("unknown stage %(value)s; use one of: %(allowed)s")),
          500, choices=_pairs(STAGES, STAGE_LABELS),
          hint=_l("None ticked: any stage.")),
    Field("ticket_min", _l("Ticket from"), "investor", Kind.NUMBER,
          parsers.whole_number(FUNDING_MAX), 20, hint=_l("A whole number, e.g. 1000000.")),
    Field("ticket_max", _l("Ticket up to"), "investor", Kind.NUMBER,
          parsers.whole_number(FUNDING_MAX), 20, hint=_l("A whole number, e.g. 20000000.")),
    Field("ticket_currency", _l("Ticket currency"), "investor", Kind.LINE, parsers.currency, 3,
          hint=_l("Three letters, e.g. RUB.")),
    Field("instruments", _l("Instruments"), "investor", Kind.CHOICES,
          parsers.choices(INSTRUMENTS, INSTRUMENT_LABELS,
                          _l("unknown instrument %(value)s; use one of: %(allowed)s")),
          500, choices=_pairs(INSTRUMENTS, INSTRUMENT_LABELS)),
)  # fmt: skip

BY_NAME = {field.name: field for field in FIELDS}
# Every column of a record, in the order an export writes them.
COLUMNS = tuple(field.name for field in FIELDS)
# The columns of data/demo.csv and of the benchmark generator, in the same order.
DEMO_COLUMNS = tuple(field.name for field in FIELDS if field.in_demo)
REQUIRED_COLUMNS = tuple(field.name for field in FIELDS if field.required)
PUBLIC_COLUMNS = tuple(field.name for field in FIELDS if not field.staff_only)
# The fields the public form folds away; a required field or a kind's own is always in view.
_KIND_FIELDSETS = {fieldset.name for fieldset in FIELDSETS if fieldset.kind}
FOLDED = tuple(
    field.name
    for field in FIELDS
    if field.fold and not field.required and field.fieldset not in _KIND_FIELDSETS
)


def of_kind(*kinds: Kind) -> tuple[str, ...]:
    """The names of the fields of these kinds, in spec order."""
    return tuple(field.name for field in FIELDS if field.kind in kinds)


def in_fieldset(fieldset: Fieldset, names: tuple[str, ...] = COLUMNS) -> tuple[Field, ...]:
    """The fields shown in a fieldset (among `names`), in spec order."""
    return tuple(f for f in FIELDS if f.fieldset == fieldset.name and f.name in names)


def is_empty(value: Any) -> bool:
    """None, "" and [] all mean: nothing given."""
    return value is None or value == "" or value == []

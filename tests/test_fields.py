"""The field spec: every field is a column of the model, with the model's limits, and the
import, export, forms, search documents and the benchmark generator all read it."""

from __future__ import annotations

import sqlalchemy as sa

from bench import synthetic
from cluster import fields
from cluster.fields import Kind
from cluster.forms import OrganisationForm, SubmissionForm
from cluster.models import Organisation

# Columns the application keeps for itself: nobody types them into a record.
INTERNAL = {
    "id",
    "logo",
    "submission_locale",
    "created_at",
    "updated_at",
    "published_at",
    "verified_at",
    "verified_by_id",
    "version",
    # Read from the fields on every save (services/matchmaking.py), not typed.
    "capability_edits",
    "min_order_quantity",
    "min_order_unit",
    "capacity_quantity",
    "capacity_unit",
    # The duplicate check's keys, made from the name, website, e-mail and phone on every save
    # (cluster/duplicate_keys.py).
    "name_key",
    "name_alt_key",
    "website_key",
    "email_key",
    "phone_key",
}


def test_every_field_is_a_column_or_the_sectors_and_every_column_a_field():
    columns = set(Organisation.__table__.c.keys())
    assert set(fields.COLUMNS) - columns == {"sectors"}
    assert columns - set(fields.COLUMNS) == INTERNAL


def test_text_fields_allow_exactly_what_their_column_holds():
    for field in fields.FIELDS:
        if field.kind is not Kind.LINE:
            continue
        column_type = Organisation.__table__.c[field.name].type
        assert isinstance(column_type, sa.String), field.name
        assert field.max_length == column_type.length, field.name


def test_every_field_belongs_to_a_known_fieldset_and_every_fieldset_shows_something():
    names = {fieldset.name for fieldset in fields.FIELDSETS}
    assert {field.fieldset for field in fields.FIELDS} == names


def test_the_forms_follow_the_spec():
    assert OrganisationForm.columns() == fields.COLUMNS
    assert SubmissionForm.columns() == fields.PUBLIC_COLUMNS
    form_kinds = {"LINE": "StringField", "NUMBER": "StringField", "TEXT": "TextAreaField"}
    for field in fields.FIELDS:
        unbound = getattr(OrganisationForm, field.name)
        expected = form_kinds.get(field.kind.name)
        if expected:
            assert unbound.field_class.__name__ == expected, field.name


def test_the_benchmark_generator_writes_the_demo_columns_and_fills_every_field():
    assert synthetic.COLUMNS == fields.DEMO_COLUMNS
    (record,) = synthetic.generate(1, seed=3)
    row = synthetic._row(record, created_at=None)
    assert set(fields.COLUMNS) - {"sectors"} <= set(row)


def test_empty_values_have_the_shape_their_column_expects():
    assert fields.BY_NAME["tags"].empty == []
    assert fields.BY_NAME["stage"].empty is None
    assert fields.BY_NAME["team_size"].empty is None
    assert fields.BY_NAME["kind"].empty == ""
    assert all(fields.is_empty(field.empty) for field in fields.FIELDS)

"""Importing organisations from CSV and JSON: every case a spreadsheet can throw at it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from cluster.extensions import db
from cluster.models import Organisation
from cluster.services import importer, records, slugs, taxonomy

DATA = Path(__file__).parent / "data"


def write(tmp_path, text: str | bytes, name: str = "orgs.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))


def org(slug: str) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).filter_by(slug=slug))


def import_text(tmp_path, text, **options) -> importer.ImportReport:
    return importer.import_file(write(tmp_path, text), **options)


# The file as a whole -------------------------------------------------------------------------


def test_fixture_csv_imports_every_row_with_clean_values(app):
    with app.app_context():
        report = importer.import_file(DATA / "organisations.csv")
        assert report.ok, report.errors
        assert report.created == ["kalibr", "loom-academy", "stitchbot"]

        kalibr = org("kalibr")
        assert kalibr.name == "Калибр"
        assert kalibr.kind == "manufacturer"
        assert [s.slug for s in kalibr.sectors] == ["textile", "digital-printing"]
        assert kalibr.tags == ["ткани", "печать"]
        assert kalibr.website == "https://kalibr.example"
        assert kalibr.email == "info@kalibr.example"
        assert kalibr.looking_for == ["manufacturing", "suppliers"]
        assert (kalibr.residency, kalibr.status) == ("resident", "published")
        assert kalibr.published_at is not None

        academy = org("loom-academy")
        assert academy.description == "First line; with a semicolon\nsecond line"
        assert academy.programmes == [
            {
                "name": "Pattern cutting",
                "level": "certificate",
                "format": "evening",
                "duration": "3 months",
            },
            {"name": "Knitwear design", "level": "diploma", "format": "", "duration": ""},
        ]
        assert (academy.residency, academy.status) == ("partner", "draft")

        stitchbot = org("stitchbot")
        assert stitchbot.funding_sought == 1_500_000
        assert stitchbot.currency == "RUB"
        assert stitchbot.stage == "mvp"
        assert stitchbot.team_size == 5


def test_json_file_imports_arrays_numbers_and_programme_objects(app):
    with app.app_context():
        report = importer.import_file(DATA / "organisations.json")
        assert report.ok, report.errors
        assert report.created == ["pixel-yarn", "thread-school"]
        yarn = org("pixel-yarn")
        assert [s.slug for s in yarn.sectors] == ["textile", "design"]
        assert yarn.tags == ["yarn", "colour"]
        assert (yarn.funding_sought, yarn.currency, yarn.team_size) == (200000, "EUR", 3)
        school = org("thread-school")
        assert school.name == "Школа нити"
        assert school.programmes == [
            {
                "name": "Weaving basics",
                "level": "beginner",
                "format": "on site",
                "duration": "8 weeks",
            },
            {"name": "Dyeing", "level": "advanced", "format": "", "duration": ""},
        ]


def test_json_unknown_key_and_non_object_are_refused(app, tmp_path):
    path = write(
        tmp_path, json.dumps([{"name": "A", "kind": "startup", "colour": "red"}, 5]), "orgs.json"
    )
    with app.app_context():
        report = importer.import_file(path)
        assert report.errors == [
            "row 1, column colour: unknown column",
            "row 2: expected an object with the column names as keys",
        ]
        assert count() == 0


def test_invalid_json_is_refused_with_a_message(app, tmp_path):
    with app.app_context():
        report = importer.import_file(write(tmp_path, '[{"name": "A",', "orgs.json"))
        assert not report.ok
        assert report.errors[0].startswith("row 1: not valid JSON")


def test_unknown_column_is_named_and_the_whole_file_refused(app, tmp_path):
    with app.app_context():
        report = import_text(tmp_path, "name,kind,colour\nAlpha,startup,red\n")
        assert len(report.errors) == 1
        assert report.errors[0].startswith("row 1, column colour: unknown column")
        assert count() == 0


def test_header_without_a_required_column_is_refused(app, tmp_path):
    with app.app_context():
        report = import_text(tmp_path, "name,city\nAlpha,Ivanovo\n")
        assert report.errors == ["row 1, column kind: required column missing from the header"]


def test_header_in_any_order_and_letter_case_is_accepted(app, tmp_path):
    with app.app_context():
        report = import_text(tmp_path, " City ,KIND,Name\nIvanovo,startup,Alpha\n")
        assert report.ok, report.errors
        assert org("alpha").city == "Ivanovo"


def test_row_with_more_cells_than_the_header_is_an_error(app, tmp_path):
    with app.app_context():
        report = import_text(tmp_path, "name,kind\nAlpha,startup\nBeta,startup,extra\n")
        assert report.errors == [
            "row 3: 3 cells, but the header names 2 columns (a comma or quote out of place?)"
        ]
        assert count() == 0


def test_short_rows_and_blank_lines_are_read_as_empty_values(app, tmp_path):
    with app.app_context():
        report = import_text(tmp_path, "name,kind,city\nAlpha,startup\n\nBeta,company,Pskov\n")
        assert report.ok, report.errors
        assert (org("alpha").city, org("beta").city) == ("", "Pskov")


def test_utf8_bom_is_ignored(app, tmp_path):
    data = "\ufeffslug,name,kind\nkalibr,Калибр,manufacturer\n".encode("utf-8")
    with app.app_context():
        report = import_text(tmp_path, data)
        assert report.ok, report.errors
        assert org("kalibr").name == "Калибр"


def test_crlf_line_ends_leave_no_carriage_returns(app, tmp_path):
    data = b'name,kind,description\r\nAlpha,startup,"one\r\ntwo"\r\nBeta,company,plain\r\n'
    with app.app_context():
        report = import_text(tmp_path, data)
        assert report.ok, report.errors
        assert org("alpha").description == "one\ntwo"
        assert org("beta").kind == "company"
        assert org("beta").description == "plain"


def test_quoted_fields_keep_semicolons_and_newlines_in_place(app, tmp_path):
    text = (
        "name,kind,description,capabilities,address\n"
        '"Alpha, Ltd",startup,"Line one; still one\nLine two","sewing; ""cutting"";\nprinting",'
        '"7 Tkatskaya St; building A"\n'
    )
    with app.app_context():
        report = import_text(tmp_path, text)
        assert report.ok, report.errors
        alpha = org("alpha-ltd")
        assert alpha.name == "Alpha, Ltd"
        assert alpha.description == "Line one; still one\nLine two"
        assert alpha.capabilities == ["sewing", '"cutting"', "printing"]
        assert alpha.address == "7 Tkatskaya St; building A"


def test_semicolon_separated_file_from_a_spreadsheet_is_read(app, tmp_path):
    with app.app_context():
        report = import_text(tmp_path, 'name;kind;tags\nAlpha;startup;"a;b"\n')
        assert report.ok, report.errors
        assert org("alpha").tags == ["a", "b"]


def test_file_that_is_not_text_is_refused(app, tmp_path):
    data = "name,kind\nКалибр,manufacturer\n".encode("utf-16-le")
    with app.app_context():
        report = import_text(tmp_path, data)
        assert report.errors[0].startswith(
            "row 1: the file is neither UTF-8 nor Windows-1251 text (byte 1)"
        )


def test_other_file_types_are_refused(app, tmp_path):
    with app.app_context():
        report = importer.import_file(write(tmp_path, "name,kind\n", "orgs.ods"))
        assert report.errors == ["row 1: expected a .csv, .xlsx or .json file, not 'orgs.ods'"]


def test_ten_megabyte_value_is_a_row_error_not_a_crash(app, tmp_path):
    huge = "x" * (10 * 1024 * 1024)
    with app.app_context():
        report = import_text(tmp_path, f"name,kind,description\nAlpha,startup,{huge}\n")
        assert report.errors == [
            "row 2, column description: at most 20,000 characters allowed, got 10,485,760"
        ]
        assert count() == 0


# Row by row ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("sectors", "textile;knitting", "unknown sector 'knitting'"),
        ("kind", "factory", "unknown kind 'factory'; use one of: startup, manufacturer"),
        ("founded_year", "3024", f"expected a year between 1800 and {date.today().year}, got 3024"),
        ("founded_year", "1799", "expected a year between 1800"),
        ("founded_year", "twenty", "expected a year such as 2015"),
        ("team_size", "about ten", "expected a whole number of 0 or more, got 'aboutten'"),
        ("team_size", "-3", "expected a whole number of 0 or more"),
        ("funding_sought", "1.5m", "expected a whole number of 0 or more"),
        ("funding_sought", "9" * 5000, "at most 1,000,000,000,000,000 allowed"),
        ("team_size", "10 000 001", "at most 10,000,000 allowed"),
        ("team_size", "0" * 5000 + "11111111", "at most 10,000,000 allowed"),
        ("founded_year", "2" * 5000, "expected a year such as 2015"),
        ("stage", "growth", "unknown stage 'growth'; use one of: idea, prototype, mvp"),
        ("looking_for", "investment;friends", "unknown looking_for value 'friends'"),
        ("residency", "tenant", "unknown residency 'tenant'"),
        ("status", "live", "unknown status 'live'"),
        ("currency", "roubles", "expected a three-letter currency code"),
        ("website", "javascript:alert(1)", "only http and https addresses are allowed"),
        ("website", "ftp://files.example", "only http and https addresses are allowed"),
        ("website", "not a site", "a web address cannot contain spaces"),
        ("email", "someone@", "not a valid e-mail address"),
        ("slug", "Мой слаг", "use lower-case Latin letters, digits and single hyphens"),
        ("name", "   ", "required"),
        ("kind", "", "required"),
        ("programmes", "a | b | c | d | e", "write each programme as: name | level"),
        ("programmes", " | diploma", "each programme needs a name"),
        ("summary", "s" * 301, "at most 300 characters allowed, got 301"),
        ("tags", "t" * 201, "each entry at most 200 characters"),
    ],
)
def test_invalid_value_is_reported_with_row_and_column(app, tmp_path, column, value, message):
    row = {"name": "Alpha", "kind": "startup", column: value}
    with app.app_context():
        report = importer.import_rows([{"name": "Fine", "kind": "company"}, row], first_row=2)
        assert len(report.errors) == 1, report.errors
        assert report.errors[0].startswith(f"row 3, column {column}: {message}")
        assert count() == 0


def test_one_bad_row_means_nothing_is_written(app, tmp_path):
    text = "name,kind,team_size\nAlpha,startup,3\nBeta,startup,many\nGamma,company,\n"
    with app.app_context():
        report = import_text(tmp_path, text)
        assert not report.ok
        assert report.errors == [
            "row 3, column team_size: expected a whole number of 0 or more, got 'many'"
        ]
        assert report.written is False
        assert count() == 0


def test_all_errors_of_a_file_are_reported_in_row_order(app, tmp_path):
    text = "name,kind,founded_year\n,startup,2000\nBeta,robot,3024\n"
    with app.app_context():
        report = import_text(tmp_path, text)
        assert report.errors == [
            "row 2, column name: required",
            (
                "row 3, column kind: unknown kind 'robot'; use one of: startup, manufacturer, "
                "education, company, investor"
            ),
            (
                f"row 3, column founded_year: expected a year between 1800 and "
                f"{date.today().year}, got 3024"
            ),
        ]


def test_sector_and_kind_accept_slug_or_name_in_any_case(app):
    rows = [
        {"name": "A", "kind": "STARTUP", "sectors": "FASHIONTECH"},
        {"name": "B", "kind": "Educational institution", "sectors": "digital printing"},
        {"name": "C", "kind": "Company", "sectors": "цифровая ПЕЧАТЬ; Digital-Printing"},
    ]
    with app.app_context():
        report = importer.import_rows(rows)
        assert report.ok, report.errors
        assert (org("a").kind, [s.slug for s in org("a").sectors]) == ("startup", ["fashiontech"])
        assert org("b").kind == "education"
        assert [s.slug for s in org("c").sectors] == ["digital-printing"]


def test_slug_derived_from_a_cyrillic_name_is_transliterated(app):
    with app.app_context():
        report = importer.import_rows([{"name": "Калибр", "kind": "manufacturer"}])
        assert report.created == ["kalibr"]
        assert org("kalibr").name == "Калибр"


def test_importing_the_same_csv_twice_leaves_the_same_count(app):
    with app.app_context():
        first = importer.import_file(DATA / "organisations.csv")
        before = count()
        second = importer.import_file(DATA / "organisations.csv")
        assert (first.ok, second.ok) == (True, True)
        assert count() == before == 3
        assert second.created == [] and second.updated == []
        assert second.unchanged == ["kalibr", "loom-academy", "stitchbot"]


def test_row_with_an_existing_slug_updates_that_organisation(app, tmp_path):
    with app.app_context():
        importer.import_rows([{"name": "Калибр", "kind": "manufacturer", "phone": "+7 1"}])
        kalibr = org("kalibr")
        old_id, old_version = kalibr.id, kalibr.version

        report = import_text(tmp_path, "slug,name,kind,city\nkalibr,Kalibr Works,company,Tula\n")
        assert report.ok, report.errors
        assert report.updated == ["kalibr"] and report.created == []
        db.session.expire_all()
        kalibr = org("kalibr")
        assert (kalibr.id, kalibr.name, kalibr.kind, kalibr.city) == (
            old_id,
            "Kalibr Works",
            "company",
            "Tula",
        )
        assert kalibr.phone == "+7 1"  # no phone column in the file: left as it was
        assert kalibr.version == old_version + 1
        assert count() == 1


def test_derived_slug_matching_an_existing_one_updates_it(app):
    with app.app_context():
        importer.import_rows([{"name": "Калибр", "kind": "manufacturer"}])
        report = importer.import_rows([{"name": "КАЛИБР", "kind": "manufacturer", "city": "Tver"}])
        assert report.updated == ["kalibr"]
        assert count() == 1


def test_two_rows_with_the_same_slug_are_an_error(app, tmp_path):
    with app.app_context():
        report = import_text(tmp_path, "slug,name,kind\n,Alpha,startup\nalpha,Alpha 2,startup\n")
        assert report.errors == ["row 3, column slug: 'alpha' is already used by row 2"]
        assert count() == 0


def test_name_without_letters_or_digits_needs_a_slug(app):
    with app.app_context():
        report = importer.import_rows([{"name": "★★★", "kind": "company"}])
        assert report.errors == ["row 1, column slug: cannot derive a slug from the name; give one"]


def test_dry_run_writes_nothing_and_reports_creates_and_updates(app):
    with app.app_context():
        importer.import_rows([{"name": "Alpha", "kind": "startup"}])
        rows = [
            {"name": "Alpha", "kind": "startup", "city": "Pskov"},
            {"name": "Beta", "kind": "company"},
        ]
        report = importer.import_rows(rows, dry_run=True)
        assert report.ok and report.dry_run and not report.written
        assert (report.created, report.updated) == (["beta"], ["alpha"])
        db.session.expire_all()
        assert count() == 1
        assert org("alpha").city == ""


def test_formula_quote_from_an_export_is_removed_once(app, tmp_path):
    text = "name,kind,phone,summary,city\nAlpha,startup,'+7 900,'''=x,'plain\n"
    with app.app_context():
        report = import_text(tmp_path, text)
        assert report.ok, report.errors
        alpha = org("alpha")
        assert (alpha.phone, alpha.summary, alpha.city) == ("+7 900", "''=x", "'plain")


def test_control_characters_are_stripped(app):
    with app.app_context():
        report = importer.import_rows(
            [
                {
                    "name": "Al\x00pha\x1b",
                    "kind": "startup",
                    "summary": "a\tb\nc",
                    "description": "one\r\ntwo\x07",
                }
            ]
        )
        assert report.ok, report.errors
        alpha = org("alpha")
        assert (alpha.name, alpha.summary, alpha.description) == ("Alpha", "a b c", "one\ntwo")


def test_import_loads_existing_organisations_in_a_few_queries(app):
    """A large file must not cost a query per row (10,000 rows would crawl)."""
    with app.app_context():
        importer.import_rows([{"name": f"Org {n}", "kind": "company"} for n in range(300)])
        rows = [
            {"name": f"Org {n}", "kind": "company", "city": "Tver", "sectors": "design"}
            for n in range(600)
        ]
        statements = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        report = importer.import_rows(rows, dry_run=True)
        selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        assert (len(report.created), len(report.updated)) == (300, 300)
        assert len(selects) <= 6, selects


# The shared record parser --------------------------------------------------------------------


def test_parse_record_cleans_lists_links_numbers_and_programmes(app):
    with app.app_context():
        values, errors = records.parse_record(
            {
                "name": " Alpha ",
                "kind": "startup",
                "tags": [" a ", "b; A", ""],
                "social_links": "t.me/alpha; https://vk.com/alpha",
                "funding_sought": "1_000 000",
                "team_size": 7,
                "programmes": "Cutting | basic; ; Cutting | basic",
                "residency": "",
                "status": "",
                "stage": "",
                "unknown_field": "ignored",
            },
            taxonomy.sector_lookup(),
        )
        assert errors == []
        assert values == {
            "name": "Alpha",
            "kind": "startup",
            "residency": "resident",
            "status": "published",
            "tags": ["a", "b"],
            "stage": None,
            "funding_sought": 1000000,
            "team_size": 7,
            "programmes": [{"name": "Cutting", "level": "basic", "format": "", "duration": ""}],
            "social_links": ["https://t.me/alpha", "https://vk.com/alpha"],
        }


def test_parse_record_rejects_wrong_json_types_without_crashing(app):
    with app.app_context():
        _, errors = records.parse_record(
            {"name": ["A"], "kind": True, "team_size": {"n": 1}, "programmes": [{"title": "x"}]}
        )
        assert [str(error) for error in errors] == [
            "column name: expected text, not a list or object",
            "column kind: expected text, not true or false",
            "column team_size: expected text, not a list or object",
            (
                "column programmes: unknown programme field 'title'; use ('name', 'level', "
                "'format', 'duration')"
            ),
        ]


@pytest.mark.parametrize(
    ("name", "taken", "slug"),
    [
        ("Калибр", set(), "kalibr"),
        ("Школа дизайна «Ёлка»", set(), "shkola-dizaina-elka"),
        ("Thread & Signal", set(), "thread-signal"),
        ("Alpha", {"alpha"}, "alpha-2"),
        ("Alpha", {"alpha", "alpha-2"}, "alpha-3"),
        ("★", set(), "organisation"),
    ],
)
def test_unique_slug(name, taken, slug):
    assert slugs.unique_slug(name, taken) == slug


# The command ---------------------------------------------------------------------------------


def test_import_command_reports_counts_and_exits_zero(app, runner):
    result = runner.invoke(args=["import", str(DATA / "organisations.csv")])
    assert result.exit_code == 0, result.output
    assert "3 rows: 3 created, 0 updated, 0 unchanged." in result.output
    assert "Import committed." in result.output
    with app.app_context():
        assert count() == 3


def test_import_command_dry_run_writes_nothing(app, runner):
    result = runner.invoke(args=["import", str(DATA / "organisations.json"), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "2 rows: 2 would be created, 0 would be updated, 0 unchanged." in result.output
    assert "Dry run: nothing was written." in result.output
    with app.app_context():
        assert count() == 0


def test_import_command_prints_each_error_and_exits_one(app, runner, tmp_path):
    path = write(tmp_path, "name,kind,team_size\nAlpha,startup,x\nBeta,robot,1\n")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1
    assert "row 2, column team_size: expected a whole number of 0 or more, got 'x'" in result.output
    assert "row 3, column kind: unknown kind 'robot'" in result.output
    assert "2 errors: nothing was written." in result.output
    with app.app_context():
        assert count() == 0


def test_import_command_with_a_missing_file_exits_with_usage_error(runner, tmp_path):
    result = runner.invoke(args=["import", str(tmp_path / "missing.csv")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_import_command_shows_progress_for_large_files(app, runner, tmp_path):
    lines = "".join(f"Org {n},company\n" for n in range(600))
    result = runner.invoke(args=["import", str(write(tmp_path, "name,kind\n" + lines))])
    assert result.exit_code == 0, result.output
    assert "Checking rows" in result.output
    assert "600 rows: 600 created" in result.output


def test_demo_data_imports_without_errors(app):
    from cluster.cli import DEMO_FILE

    with app.app_context():
        report = importer.import_file(DEMO_FILE, dry_run=True)
        assert report.errors == []
        assert len(report.created) >= 60


def test_import_writes_a_revision_for_each_created_or_changed_organisation(app):
    from cluster.models import Revision

    with app.app_context():
        importer.import_rows(
            [{"name": "Alpha", "kind": "startup"}, {"name": "Beta", "kind": "company"}]
        )
        importer.import_rows(
            [
                {"name": "Alpha", "kind": "startup", "city": "Tver"},
                {"name": "Beta", "kind": "company"},
            ]
        )
        history = db.session.scalars(sa.select(Revision).order_by(Revision.id)).all()
        assert [(r.organisation_slug, r.action, r.version) for r in history] == [
            ("alpha", "create", 1),
            ("beta", "create", 1),
            ("alpha", "import", 2),
        ]
        assert history[-1].changes == {"city": ["", "Tver"]}
        assert history[-1].snapshot["city"] == "Tver"


def test_changing_only_the_sectors_is_an_update_with_a_new_version(app):
    with app.app_context():
        importer.import_rows([{"name": "Alpha", "kind": "startup", "sectors": "design"}])
        report = importer.import_rows([{"name": "Alpha", "kind": "startup", "sectors": "textile"}])
        assert report.updated == ["alpha"]
        db.session.expire_all()
        alpha = org("alpha")
        assert [s.slug for s in alpha.sectors] == ["textile"]
        assert alpha.version == 2

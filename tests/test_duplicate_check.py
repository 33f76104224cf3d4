"""The public submission's duplicate check: cheap, limited, and blind to unpublished listings.

Timings are measured by bench/duplicate_bench.py; here the check is shown to read no whole
table, to keep its indexed keys up to date on every kind of write, and to be counted against a
limit on every POST.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from bench import synthetic
from cluster.extensions import db
from cluster.models import Organisation
from cluster.search import maintenance
from cluster.services import importer
from cluster.services.duplicates import likely_duplicates, normalise_name
from tests.factories import find_org, make_org
from tests.test_submissions import submission

# A SELECT from organisations with no WHERE reads every row.
WHOLE_TABLE = re.compile(r"\bFROM organisations\b(?![\s\S]*\bWHERE\b)", re.IGNORECASE)


@pytest.fixture
def statements(app):
    """The SQL statements run while the test runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def directory(app):
    """A thousand synthetic published organisations (inserted in bulk, then indexed) and one
    real one."""
    with app.app_context():
        synthetic.insert(db.session, synthetic.generate(1000, seed=3))
        db.session.commit()
        maintenance.reindex()
        make_org("Nord Textile Lab", website="https://nordtextile.ru", phone="+7 495 123-45-67")


def test_a_submission_with_an_existing_name_reads_no_whole_table(
    app, client, directory, statements
):
    token_data = submission(client, name="Nord Textil Lab", email="")
    statements.clear()
    response = client.post("/en/submit", data=token_data)
    assert response.status_code == 200
    assert "may already be listed" in response.get_data(as_text=True)
    whole = [statement for statement in statements if WHOLE_TABLE.search(statement)]
    assert whole == []


def test_every_post_to_submit_counts_against_a_limit(app, client):
    with app.app_context():
        make_org("Калибр", slug="kalibr")
    statuses = [
        client.post("/en/submit", data=submission(client, name="Kalibr")).status_code
        for _ in range(31)
    ]
    # Warned of the duplicate each time (200), never accepted, and still refused at last.
    assert set(statuses[:30]) == {200}
    assert statuses[30] == 429


@pytest.mark.parametrize("status", ["draft", "pending", "archived"])
@pytest.mark.parametrize(
    "field", ["email", "website", "phone", "name"], ids=["e-mail", "website", "phone", "name"]
)
def test_the_public_is_never_told_of_an_unpublished_listing(app, client, status, field):
    hidden = {
        "email": "team@hidden.example",
        "website": "https://hidden.example",
        "phone": "+7 495 765-43-21",
        "name": "Hidden Velvet Works",
    }
    with app.app_context():
        make_org(
            hidden["name"],
            slug="hidden",
            status=status,
            **{k: v for k, v in hidden.items() if k != "name"},
        )
    typed = {"name": "Quite Another Studio", "email": "", field: hidden[field]}
    response = client.post("/en/submit", data=submission(client, **typed))
    page = response.get_data(as_text=True)
    assert response.status_code == 303, page
    assert "waiting for review" not in page and "may already be listed" not in page


def test_staff_still_see_unpublished_likely_duplicates(app):
    with app.app_context():
        make_org("Hidden Velvet Works", slug="hidden", status="draft", email="team@hidden.example")
        found = likely_duplicates({"name": "Other", "email": "team@hidden.example"})
        assert [org.slug for org, _reason in found] == ["hidden"]
        public = likely_duplicates(
            {"name": "Other", "email": "team@hidden.example"}, statuses=("published",)
        )
        assert public == []


def stored_keys(app, slug):
    with app.app_context():
        org = find_org(slug)
        return (org.name_key, org.name_alt_key, org.website_key, org.email_key, org.phone_key)


def test_keys_follow_every_save(app, staff):
    with app.app_context():
        make_org("ООО «Калибр»", slug="kalibr", email="Hello@Kalibr.example")
    assert stored_keys(app, "kalibr") == ("kalibr", "", "", "hello@kalibr.example", "")
    staff.login()
    edit = staff.client.get("/en/staff/organisations/kalibr/edit").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', edit).group(1)
    response = staff.post(
        "/en/staff/organisations/kalibr/edit",
        data={
            "name": "Kalibr Works",
            "slug": "kalibr",
            "kind": "company",
            "residency": "resident",
            "status": "published",
            "website": "https://www.kalibr.example/about",
            "phone": "8 (495) 000-11-22",
            "version": version,
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    assert stored_keys(app, "kalibr") == ("kalibr works", "", "kalibr.example", "", "74950001122")


def test_keys_follow_an_import(app):
    rows = [{"name": "Prism Print", "kind": "company", "email": "Info@Prism.example"}]
    with app.app_context():
        assert importer.import_rows(rows).written
    assert stored_keys(app, "prism-print") == ("prism print", "", "", "info@prism.example", "")


def test_init_db_fills_the_keys_of_rows_written_around_the_orm(app, runner):
    with app.app_context():
        synthetic.insert(db.session, synthetic.generate(50, seed=5))
        db.session.commit()
        missing = sa.select(sa.func.count()).where(Organisation.name_key.is_(None))
        assert db.session.scalar(missing) == 50
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(missing) == 0
        org = db.session.scalars(sa.select(Organisation).limit(1)).one()
        assert org.name_key and org.name_key == normalise_name(org.name)

"""Unexpected errors: a page with a real title and message, in HTML or JSON, never a trace."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from cluster.extensions import db
from tests.search.pg import postgres_app


def break_the_sectors_table(app) -> None:
    """A fault no visitor can cause: the sectors table disappears under the running app."""
    with app.app_context():
        with db.engine.begin() as connection:
            cascade = " CASCADE" if connection.dialect.name == "postgresql" else ""
            connection.execute(sa.text(f"DROP TABLE sectors{cascade}"))
        db.engine.dispose()


def quiet_error_log() -> None:
    # The handler logs the trace on purpose; keep it out of the test report.
    logging.getLogger("cluster.errors").disabled = True


def test_an_unexpected_error_shows_a_titled_page_without_the_trace(app, client):
    break_the_sectors_table(app)
    quiet_error_log()
    response = client.get("/en/sectors")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "<title>Something went wrong · " in html
    assert "Something went wrong on our side. Please try again later." in html
    assert "property object" not in html
    assert "Traceback" not in html and "sectors" not in html.split("<main", 1)[1][:600]


def test_an_unexpected_error_answers_json_to_json_clients(app, client):
    break_the_sectors_table(app)
    quiet_error_log()
    response = client.get("/en/sectors", headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert response.get_json() == {
        "error": {
            "code": 500,
            "title": "Something went wrong",
            "message": "Something went wrong on our side. Please try again later.",
        }
    }


@pytest.mark.postgres
def test_the_error_page_renders_after_postgresql_refused_a_statement(tmp_path):
    # PostgreSQL refuses every statement after a failed one until the transaction is rolled
    # back; the page for a logged-in member of staff loads their account after the failure.
    with postgres_app(tmp_path) as app:
        from tests.helpers import StaffSession

        client = app.test_client()
        assert StaffSession(app, client).login().status_code == 302
        break_the_sectors_table(app)
        quiet_error_log()
        response = client.get("/en/sectors")
        html = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "<title>Something went wrong · " in html
        assert 'href="/en/staff/"' in html  # the account was loaded: the staff link is shown

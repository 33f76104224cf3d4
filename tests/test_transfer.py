"""Import and export in the browser: upload, dry-run preview, confirm with progress, download."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time

import pytest
import sqlalchemy as sa

from cluster.extensions import db
from cluster.models import AuditEntry, Organisation
from cluster.services import import_jobs
from tests.factories import count_orgs, find_org, make_org

GOOD_CSV = (
    "name,kind,sectors,summary,website\r\n"
    "Loom & Needle,manufacturer,textile,Small-batch sewing,https://loom.example\r\n"
    "Пиксель,startup,animation,Студия анимации,\r\n"
)
TOKEN_IN_URL = re.compile(r"/en/staff/import/([0-9a-f]{32})")


@pytest.fixture(autouse=True)
def private_import_dir(app, tmp_path):
    app.config["IMPORT_DIR"] = str(tmp_path / "imports")


def imports_dir(app):
    return app.config["IMPORT_DIR"]


def stored_files(app) -> list[str]:
    import os

    path = imports_dir(app)
    return sorted(os.listdir(path)) if os.path.isdir(path) else []


def upload(staff, data: bytes | str, filename="organisations.csv"):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return staff.post(
        "/en/staff/import",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def token_of(response) -> str:
    return TOKEN_IN_URL.search(response.headers["Location"]).group(1)


# Access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/en/staff/import"),
        ("post", "/en/staff/import"),
        ("get", "/en/staff/import/" + "a" * 32),
        ("post", "/en/staff/import/" + "a" * 32 + "/run"),
        ("post", "/en/staff/import/" + "a" * 32 + "/cancel"),
        ("get", "/en/staff/export"),
        ("get", "/en/staff/export?format=json"),
    ],
)
def test_anonymous_visitors_cannot_import_or_export(client, method, path):
    # A valid CSRF token (from a public form), so that only the missing login stops the request.
    token = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/en/submit").get_data(as_text=True)
    )
    response = getattr(client, method)(path, data={"csrf_token": token.group(1)})
    assert response.status_code == 302
    assert "/en/staff/login" in response.headers["Location"]


# Import ---------------------------------------------------------------------------------------


def test_preview_then_confirm_creates_the_organisations(app, client, staff):
    staff.login()
    response = upload(staff, GOOD_CSV)
    assert response.status_code == 303
    token = token_of(response)
    assert f"{token}.csv" in stored_files(app)
    assert count_orgs(app=app) == 0

    page = client.get(f"/en/staff/import/{token}").get_data(as_text=True)
    assert "To create: <strong>2</strong>" in page
    assert "loom-needle" in page and "piksel" in page
    assert count_orgs(app=app) == 0

    response = staff.post(f"/en/staff/import/{token}/run")
    assert response.status_code == 303
    assert count_orgs(app=app) == 2
    assert find_org("loom-needle", app=app).summary == "Small-batch sewing"
    assert find_org("piksel", app=app).kind == "startup"
    page = client.get(f"/en/staff/import/{token}").get_data(as_text=True)
    assert "Import finished" in page and "Created: <strong>2</strong>" in page
    assert f"{token}.csv" not in stored_files(app)
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).filter_by(action="import"))
        assert entry.target == "organisations.csv"
        assert entry.user_email == "editor@example.org"


def test_preview_shows_rows_to_update(app, client, staff):
    with app.app_context():
        make_org("Loom & Needle", slug="loom-needle", kind="manufacturer", summary="Old")
    staff.login()
    token = token_of(upload(staff, GOOD_CSV))
    page = client.get(f"/en/staff/import/{token}").get_data(as_text=True)
    assert "To update: <strong>1</strong>" in page
    assert "To create: <strong>1</strong>" in page
    staff.post(f"/en/staff/import/{token}/run")
    assert find_org("loom-needle", app=app).summary == "Small-batch sewing"
    assert count_orgs(app=app) == 2


def test_invalid_rows_are_listed_with_reasons_and_nothing_is_written(app, client, staff):
    staff.login()
    bad = (
        "name,kind,founded_year,team_size,sectors\r\n"
        "Good One,startup,2019,5,textile\r\n"
        "Future Co,startup,3024,5,\r\n"
        "Counting Co,manufacturer,,many,\r\n"
        "Nowhere,spaceship,,,\r\n"
        "Unknown Sector,company,,,underwater-basketry\r\n"
    )
    token = token_of(upload(staff, bad))
    page = client.get(f"/en/staff/import/{token}").get_data(as_text=True)
    assert "nothing will be written" in page
    assert "row 3, column founded_year" in page
    assert "row 4, column team_size" in page
    assert "row 5, column kind" in page
    assert "row 6, column sectors" in page
    assert "data-import-run" not in page

    response = staff.post(f"/en/staff/import/{token}/run", follow_redirects=True)
    assert "invalid rows" in response.get_data(as_text=True)
    assert count_orgs(app=app) == 0


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"\x89PNG\r\n\x1a\nnot a spreadsheet", "logo.png", "not a .csv, .xlsx or .json file"),
        (b"name,kind\r\nA,startup\r\n", "list.xlsx", "not an Excel workbook"),
        (b"", "empty.csv", "The file is empty"),
        # UTF-16 is read (Excel's "Unicode text"); these bytes make no known column of it.
        (b"\xff\xfe\x00n\x00a", "utf16.csv", "unknown column"),
        (b"PK\x03\x04\x00\x00", "renamed.csv", "neither UTF-8 nor Windows-1251"),
        (b"colour,shape\r\nred,round\r\n", "other.csv", "unknown column"),
        (b'{"name": "not a list"}', "one.json", "expected a JSON list"),
        (b"[{,]", "broken.json", "not valid JSON"),
    ],
)
def test_unusable_file_gets_a_clear_error_and_is_not_kept(app, staff, data, filename, message):
    staff.login()
    response = upload(staff, data, filename)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This file cannot be imported" in page
    assert message in page
    assert count_orgs(app=app) == 0
    assert [name for name in stored_files(app) if not name.endswith(".lock")] == []


def test_file_over_the_size_limit_is_refused(app, staff):
    app.config["IMPORT_MAX_BYTES"] = 1024
    staff.login()
    response = upload(staff, "name,kind\r\n" + "Big Co,startup\r\n" * 200)
    assert response.status_code == 422
    assert "larger than" in response.get_data(as_text=True)
    assert stored_files(app) == []


def test_missing_file_is_a_form_error(app, staff):
    staff.login()
    response = staff.post("/en/staff/import", data={})
    assert response.status_code == 422
    assert "Choose an .xlsx, .csv or .json file" in response.get_data(as_text=True)


def test_upload_without_csrf_token_is_refused(app, client, staff):
    staff.login()
    response = client.post(
        "/en/staff/import",
        data={"file": (io.BytesIO(GOOD_CSV.encode()), "organisations.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert stored_files(app) == []


def test_json_file_imports_too(app, client, staff):
    staff.login()
    rows = [
        {"name": "Vela School", "kind": "education", "programmes": [{"name": "Pattern cutting"}]}
    ]
    token = token_of(upload(staff, json.dumps(rows), "organisations.json"))
    staff.post(f"/en/staff/import/{token}/run")
    assert find_org("vela-school", app=app).programmes[0]["name"] == "Pattern cutting"


def test_likely_duplicates_need_confirming_before_the_import_runs(app, client, staff):
    with app.app_context():
        make_org("Калибр", slug="kalibr")
    staff.login()
    token = token_of(upload(staff, "name,kind\r\nKalibr LLC,manufacturer\r\n"))
    page = client.get(f"/en/staff/import/{token}").get_data(as_text=True)
    assert "may duplicate existing organisations" in page
    assert 'href="/en/staff/organisations/kalibr/edit"' in page

    response = staff.post(f"/en/staff/import/{token}/run", follow_redirects=True)
    assert "Tick the box" in response.get_data(as_text=True)
    assert count_orgs(app=app) == 1

    staff.post(f"/en/staff/import/{token}/run", data={"confirm_duplicate": "y"})
    assert find_org("kalibr-llc", app=app) is not None


def test_large_file_is_written_in_chunks_with_progress(app, client, staff, monkeypatch):
    monkeypatch.setattr(import_jobs, "CHUNK_ROWS", 3)
    staff.login()
    rows = "".join(f"Workshop {number:02d} Zeta{number},company\r\n" for number in range(8))
    token = token_of(upload(staff, "name,kind\r\n" + rows))
    page = client.get(f"/en/staff/import/{token}").get_data(as_text=True)
    assert "To create: <strong>8</strong>" in page

    progress = [
        staff.post(
            f"/en/staff/import/{token}/run", headers={"Accept": "application/json"}
        ).get_json()
        for _ in range(3)
    ]
    assert [state["done"] for state in progress] == [3, 6, 8]
    assert [state["finished"] for state in progress] == [False, False, True]
    assert progress[-1]["created"] == 8 and progress[-1]["percent"] == 100
    assert count_orgs(app=app) == 8

    # Once finished, another request writes nothing more.
    again = staff.post(f"/en/staff/import/{token}/run", headers={"Accept": "application/json"})
    assert again.get_json()["done"] == 8
    assert count_orgs(app=app) == 8


def test_cancel_forgets_the_upload(app, client, staff):
    staff.login()
    token = token_of(upload(staff, GOOD_CSV))
    response = staff.post(f"/en/staff/import/{token}/cancel")
    assert response.status_code == 303
    assert stored_files(app) == []
    assert client.get(f"/en/staff/import/{token}").status_code == 404
    assert count_orgs(app=app) == 0


@pytest.mark.parametrize("token", ["../../etc/passwd", "a" * 31, "A" * 32, "g" * 32])
def test_odd_tokens_find_nothing(client, staff, token):
    staff.login()
    assert client.get(f"/en/staff/import/{token}").status_code == 404


# Export ---------------------------------------------------------------------------------------

FORMULA = "=cmd|' /C calc'!A0"
XSS = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


@pytest.fixture
def hostile(app):
    with app.app_context():
        make_org(FORMULA, slug="formula", summary=XSS, city="+7 Moscow", status="published")
        make_org("Quiet Draft", slug="quiet-draft", status="draft", city="@home")


def test_export_csv_neutralises_formulas_as_a_download(app, client, staff, hostile):
    staff.login()
    response = client.get("/en/staff/export?format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows["formula"]["name"] == "'" + FORMULA
    assert rows["formula"]["city"] == "'+7 Moscow"
    assert rows["quiet-draft"]["city"] == "'@home"
    # The payload is data in a file that is downloaded, never a page: kept exactly as typed.
    assert rows["formula"]["summary"] == XSS
    assert "text/html" not in response.headers["Content-Type"]


def test_export_follows_the_staff_list_filters(app, client, staff, hostile):
    staff.login()
    response = client.get("/en/staff/export?format=json&status=draft")
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].endswith('.json"')
    data = json.loads(response.get_data(as_text=True))
    assert [row["slug"] for row in data] == ["quiet-draft"]

    data = json.loads(client.get("/en/staff/export?format=json&q=quiet").get_data(as_text=True))
    assert [row["slug"] for row in data] == ["quiet-draft"]
    data = json.loads(
        client.get("/en/staff/export?format=json&status=nonsense").get_data(as_text=True)
    )
    assert len(data) == 2
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEntry).filter_by(action="export")) is not None


def test_export_in_an_unknown_format_is_a_clear_400(client, staff):
    staff.login()
    response = client.get("/en/staff/export?format=ods")
    assert response.status_code == 400
    assert "xlsx, csv, excel or json" in response.get_data(as_text=True)


def test_export_then_import_gives_the_same_organisations(app, client, staff, hostile):
    staff.login()
    exported = client.get("/en/staff/export?format=csv").get_data()
    with app.app_context():
        for org in db.session.scalars(sa.select(Organisation)):
            db.session.delete(org)
        db.session.commit()
    token = token_of(upload(staff, exported, "organisations.csv"))
    staff.post(f"/en/staff/import/{token}/run")
    assert find_org("formula", app=app).name == FORMULA
    assert find_org("quiet-draft", app=app).city == "@home"


def test_an_import_is_seen_run_and_cancelled_only_by_who_uploaded_it(app, client, staff):
    staff.login()
    token = token_of(upload(staff, GOOD_CSV))
    staff.logout()
    staff.login(email="other@example.org")
    assert client.get(f"/en/staff/import/{token}").status_code == 404
    assert staff.post(f"/en/staff/import/{token}/run").status_code == 404
    assert staff.post(f"/en/staff/import/{token}/cancel").status_code == 404
    assert count_orgs(app=app) == 0
    assert f"{token}.csv" in stored_files(app)
    staff.logout()
    staff.login(create=False)
    assert "To create: <strong>2</strong>" in client.get(f"/en/staff/import/{token}").get_data(
        as_text=True
    )


def test_a_file_with_invalid_rows_is_not_kept_on_disk(app, client, staff):
    staff.login()
    token = token_of(upload(staff, "name,kind\r\nNowhere,spaceship\r\n"))
    assert "nothing will be written" in client.get(f"/en/staff/import/{token}").get_data(
        as_text=True
    )
    assert stored_files(app) == [f"{token}.state.json"]


def test_abandoned_uploads_are_removed_after_a_day(app, client, staff):
    staff.login()
    old = token_of(upload(staff, GOOD_CSV))
    day_ago = time.time() - import_jobs.KEEP_SECONDS - 60
    for name in stored_files(app):
        os.utime(os.path.join(imports_dir(app), name), (day_ago, day_ago))
    new = token_of(upload(staff, GOOD_CSV))
    assert stored_files(app) == sorted([f"{new}.csv", f"{new}.state.json"])
    assert client.get(f"/en/staff/import/{old}").status_code == 404

"""The import preview: what would change, and no import button when nothing would."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_org
from tests.test_transfer import GOOD_CSV, token_of, upload


@pytest.fixture(autouse=True)
def private_import_dir(app, tmp_path):
    app.config["IMPORT_DIR"] = str(tmp_path / "imports")


def test_a_file_that_changes_nothing_offers_no_import(app, client, staff):
    with app.app_context():
        make_org("Loom & Needle", slug="loom-needle", kind="manufacturer", summary="Old")
    staff.login()
    exported = client.get("/en/staff/export?format=csv").get_data()
    page = client.get(f"/en/staff/import/{token_of(upload(staff, exported))}").get_data(
        as_text=True
    )
    assert "Unchanged: <strong>1</strong>" in page
    assert "Nothing to import: every row of the file matches what is stored." in page
    assert 'id="import-run"' not in page and "Import 0 new" not in page


def test_a_file_with_changes_still_offers_its_import(app, client, staff):
    staff.login()
    page = client.get(f"/en/staff/import/{token_of(upload(staff, GOOD_CSV))}").get_data(
        as_text=True
    )
    assert 'id="import-run"' in page
    assert "Import 2 new and 0 changed organisations" in page
    assert "Nothing to import" not in page


def test_the_preview_shows_new_rows_values_and_each_updated_fields_before_and_after(
    app, client, staff
):
    with app.app_context():
        make_org("Loom & Needle", slug="loom-needle", kind="manufacturer", summary="Old")
    staff.login()
    page = client.get(f"/en/staff/import/{token_of(upload(staff, GOOD_CSV))}").get_data(
        as_text=True
    )
    # The new row, as the organisation would hold it: labels, choices and sectors by name.
    new = page[page.index("Rows to create") : page.index("Rows to update")]
    assert re.search(r"<dt>Name</dt> <dd>Пиксель</dd>", new)
    assert re.search(r"<dt>Kind</dt> <dd>Startup</dd>", new)
    assert re.search(r"<dt>Sectors</dt> <dd>Animation</dd>", new)
    assert re.search(r"<dt>Residency</dt> <dd>Resident of the technopark</dd>", new)
    # The updated row: only the fields the file changes, before and after.
    changed = page[page.index("Rows to update") :]
    assert re.search(
        r'<th scope="row">Summary</th><td class="old" data-label="Now">Old</td>'
        r'<td class="new" data-label="After the import">Small-batch sewing</td>',
        changed,
    )
    assert '<th scope="row">Kind</th>' not in changed
    assert '<th scope="row">Name</th>' not in changed

"""A file with millions of problems is refused with the first 200 and a count, not a list of
millions: on the import page, on the preview of an import, and on the command line."""

from __future__ import annotations

import io
import re

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from cluster.services.importer import MAX_PROBLEMS

# Just under the 10 MB an upload may have: 4.7 million problems.
ONES = 4_700_000


@pytest.fixture
def ones(tmp_path):
    path = tmp_path / "ones.json"
    path.write_text("[" + ",".join(["1"] * ONES) + "]")
    assert path.stat().st_size < 10 * 2**20
    return path


def listed(page: str) -> int:
    """How many problems the page lists one by one."""
    block = re.search(r'<ul class="import-errors">(.*?)</ul>', page, re.S).group(1)
    return len(re.findall(r"<li>", block))


def test_an_upload_with_millions_of_problems_lists_the_first_200_and_counts_the_rest(
    app, staff, ones
):
    staff.login()
    # Encoded here in memory: the test client spools a body this large to a file it never closes.
    file = FileStorage(io.BytesIO(ones.read_bytes()), "ones.json")
    boundary, body = encode_multipart({"file": file, "csrf_token": staff.csrf_token("/en/staff/")})
    response = staff.client.post(
        "/en/staff/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert len(page) < 200_000
    assert listed(page) == MAX_PROBLEMS
    assert "row 1: expected an object" in page
    assert f"and {ONES - MAX_PROBLEMS:,} more problems".replace(",", "") in page.replace(",", "")


def test_a_preview_with_thousands_of_invalid_rows_lists_200_and_counts_them_all(app, staff):
    rows = "\n".join(f"Studio {number},spaceship" for number in range(5000))
    staff.login()
    response = staff.post(
        "/en/staff/import",
        data={"file": (io.BytesIO(f"name,kind\n{rows}\n".encode()), "rows.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "5000 problems: nothing will be written" in page.replace(",", "")
    assert listed(page) == MAX_PROBLEMS
    assert "and 4800 more" in page.replace(",", "")


def test_the_command_line_prints_the_first_200_problems_and_a_count(app, runner, ones):
    result = runner.invoke(args=["import", str(ones), "--dry-run"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(result.output) < 50_000
    assert sum(line.startswith("row ") for line in lines) == MAX_PROBLEMS
    assert f"{ONES} errors: nothing was written." in result.output.replace(",", "")

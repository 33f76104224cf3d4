"""A staff member logs in, corrects a profile, and sees it on the public page and in search."""

from __future__ import annotations

import time

import pytest

from tests.servers import create_user

pytestmark = pytest.mark.browser

EMAIL = "browser-editor@example.org"
PASSWORD = "a browser-typed password"
# A made-up word, so the search can only find it in the new summary.
NEW_SUMMARY = "Pattern grading now with quokkastitch sizing for knitwear."


def create_editor(environment: dict[str, str]) -> None:
    done = create_user(environment, EMAIL, PASSWORD, "editor")
    assert done.exit_code == 0, done.output


def test_staff_member_edits_a_profile_and_sees_it_public_and_in_search(
    page, live_server, live_environment, artifacts
):
    create_editor(live_environment)
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(live_server + "/en/staff/")
    assert "/en/staff/login" in page.url
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server + "/en/staff/")
    assert page.get_by_role("heading", name="Dashboard").is_visible()

    page.goto(live_server + "/en/staff/organisations?q=loomwise")
    page.get_by_role("link", name="Loomwise", exact=True).click()
    page.wait_for_url("**/staff/organisations/loomwise/edit")
    # Only the startup's own fieldset shows for a startup.
    assert page.locator("fieldset[data-kind='startup']").is_visible()
    assert not page.locator("fieldset[data-kind='manufacturer']").is_visible()

    page.locator("#summary").fill(NEW_SUMMARY)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/staff/organisations/loomwise/edit")
    assert page.locator(".flash").first.inner_text().strip() == "Saved."
    page.screenshot(path=str(artifacts / "staff-edit.png"), full_page=True)

    page.goto(live_server + "/en/o/loomwise")
    assert NEW_SUMMARY in page.locator("main").inner_text()

    # The other gunicorn worker may answer with a searcher opened just before the commit.
    for _ in range(20):
        page.goto(live_server + "/en/search?q=quokkastitch")
        if page.get_by_role("link", name="Loomwise").count():
            break
        time.sleep(0.25)
    assert page.get_by_role("link", name="Loomwise").count() >= 1

    page.goto(live_server + "/en/staff/organisations/loomwise/history")
    assert NEW_SUMMARY in page.locator("main").inner_text()
    assert errors == []

"""An investor lists fashiontech startups at MVP or revenue seeking 1-20 million roubles, sorted
by amount, and downloads the list."""

from __future__ import annotations

import csv

import pytest

from tests.browser.test_smoke import collect_console_errors

pytestmark = pytest.mark.browser


def change(page, action) -> None:
    """Do something that applies the filters, and wait for the page it brings."""
    with page.expect_navigation():
        action()
    page.wait_for_load_state()


def test_an_investor_filters_sorts_and_downloads_the_startups(page, live_server, artifacts):
    errors = collect_console_errors(page)
    page.goto(live_server + "/en/startups")
    assert "30 November 2026" in page.locator(".rates-note").inner_text()

    change(page, lambda: page.get_by_label("Fashiontech").check())
    change(page, lambda: page.get_by_label("MVP").check())
    change(page, lambda: page.get_by_label("Revenue").check())
    page.locator("#amount-from").fill("1000000")
    change(page, lambda: page.locator("#amount-from").press("Enter"))
    page.locator("#amount-to").fill("20 000 000")
    change(page, lambda: page.locator("#amount-to").press("Enter"))
    change(page, lambda: page.locator("#sort").select_option("amount"))

    names = [name.strip() for name in page.locator(".org-card-name a").all_inner_texts()]
    assert names == ["Loomwise", "Выкройка Онлайн"]
    amounts = page.locator(".startup-amount").all_inner_texts()
    assert "15,000,000" in amounts[0] and "5,000,000" in amounts[1]
    page.screenshot(path=str(artifacts / "investor-view.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="this list as CSV").click()
    path = download.value.path()
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["Name"] for row in rows] == names
    assert rows[0]["Funding sought in RUB"] == "15000000"
    assert errors == []

"""A founder types a need, reads the shortlist's reasons and opens a provider's profile."""

from __future__ import annotations

import pytest

from tests.browser.test_smoke import collect_console_errors

pytestmark = pytest.mark.browser


def test_a_founder_goes_from_a_need_to_a_provider_s_profile(page, live_server, artifacts):
    errors = collect_console_errors(page)
    page.goto(live_server + "/en/")
    page.get_by_role("link", name="Find a partner for what you need").click()
    page.wait_for_load_state()
    assert "/en/partners" in page.url

    page.get_by_label("What do you need?").fill("sew 300 jackets")
    page.get_by_role("button", name="Find partners").click()
    page.wait_for_load_state()

    first = page.locator(".partner").first
    name = first.locator("h3 a").inner_text().strip()
    assert name in {"Bluewharf Sewing", "Стежок"}
    reasons = first.locator(".reasons").inner_text()
    assert "Offers Outerwear sewing" in reasons and "takes your 300" in reasons
    assert "Northbound Outerwear" not in page.locator(".partner-list").inner_text()
    page.screenshot(path=str(artifacts / "partners.png"), full_page=True)

    first.locator("h3 a").click()
    page.wait_for_load_state()
    assert "/en/o/" in page.url
    assert page.locator("h1").inner_text().strip() == name
    assert page.get_by_text("Who needs what").count() >= 1
    assert errors == []

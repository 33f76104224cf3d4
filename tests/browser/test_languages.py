"""A visitor switches language in a real browser and stays on the same page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_the_language_switch_keeps_the_page_and_its_filters(page, live_server):
    page.goto(live_server + "/ru/organisations?kind=manufacturer")
    assert page.locator("html").get_attribute("lang") == "ru"
    page.locator(".language-switch a[hreflang='en']").click()
    page.wait_for_load_state()
    assert page.url == live_server + "/en/organisations?kind=manufacturer"
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator(".language-switch a[hreflang='ru']").click()
    page.wait_for_load_state()
    assert page.url == live_server + "/ru/organisations?kind=manufacturer"


def test_a_browser_preferring_russian_lands_on_the_russian_directory(browser, live_server):
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    page.goto(live_server + "/")
    assert page.url == live_server + "/ru/"
    assert page.locator("html").get_attribute("lang") == "ru"
    context.close()

"""A real browser walks from the home page to a profile."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def collect_console_errors(page) -> list[str]:
    """Record console errors, among them any Content-Security-Policy violation."""
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_home_search_box_and_a_profile_link_lead_to_the_profile(page, live_server, artifacts):
    errors = collect_console_errors(page)
    page.goto(live_server + "/en/")

    search = page.locator("#site-search")
    assert search.is_visible()
    assert search.get_attribute("name") == "q"
    assert page.get_by_label("Search the directory").count() == 1

    link = page.locator(".org-card-name a").first
    name = link.inner_text().strip()
    assert name
    link.click()
    page.wait_for_load_state()

    assert "/en/o/" in page.url
    assert page.locator("h1").inner_text().strip() == name
    page.screenshot(path=str(artifacts / "profile.png"), full_page=True)
    assert errors == []


def test_directory_fits_a_phone_screen(browser, live_server, artifacts):
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    page = context.new_page()
    errors = collect_console_errors(page)
    try:
        page.goto(live_server + "/en/organisations")
        assert page.locator(".org-card").count() > 0
        # Nothing wider than the screen: no sideways scrolling on a phone.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        # The menu folds behind a button and opens with it.
        toggle = page.locator(".nav-toggle")
        assert toggle.is_visible()
        assert not page.locator("#site-nav").is_visible()
        toggle.click()
        assert page.locator("#site-nav").is_visible()
        page.screenshot(path=str(artifacts / "directory-phone.png"), full_page=True)
        assert errors == []
    finally:
        context.close()


def test_keyboard_reaches_the_skip_link_first(page, live_server):
    page.goto(live_server + "/en/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").is_visible()


def test_the_filter_sidebar_sorts_search_results_and_keeps_the_words(page, live_server):
    errors = collect_console_errors(page)
    page.goto(live_server + "/en/search?q=textile")
    sidebar = page.locator("aside.filters-panel form.filter-form")
    assert page.locator("#sort").input_value() == "relevance"
    # With scripts the sidebar applies as it changes; its Apply button is for browsers without.
    assert not sidebar.locator("button[type=submit]").is_visible()
    with page.expect_navigation():
        page.select_option("#sort", "name")
    assert "q=textile" in page.url and "sort=name" in page.url
    assert page.locator("#sort").input_value() == "name"
    assert page.locator("#sort option:checked").inner_text() == "Name (A–Z)"
    assert errors == []


def test_colours_render_from_the_tokens(page, live_server):
    def colour(selector: str, prop: str) -> str:
        return page.eval_on_selector(
            selector, f"element => getComputedStyle(element).getPropertyValue('{prop}')"
        )

    page.goto(live_server + "/en/")
    assert colour(".section-cta", "color") == "rgb(255, 255, 255)"
    assert colour(".section-cta p", "color") == "rgb(211, 217, 226)"
    page.goto(live_server + "/en/organisations")
    assert colour(".badge-resident", "background-color") == "rgb(255, 243, 214)"
    assert colour(".badge-resident", "color") == "rgb(122, 77, 0)"
    assert colour(".page-link.is-disabled", "color") == "rgb(138, 148, 161)"
    page.goto(live_server + "/en/search?q=textile")
    assert colour(".search-snippet mark", "background-color") == "rgb(255, 241, 168)"
    assert colour(".search-snippet", "color") == "rgb(68, 68, 76)"


def test_a_ticked_filter_applies_at_once_and_keeps_the_focus_on_it(page, live_server):
    page.goto(live_server + "/en/organisations")
    box = page.locator("form.filter-form input[name=kind][value=manufacturer]")
    with page.expect_navigation():
        box.check()
    assert "kind=manufacturer" in page.url
    assert page.evaluate("document.activeElement.name + '=' + document.activeElement.value") == (
        "kind=manufacturer"
    )
    assert page.locator("form.filter-form input[name=kind][value=manufacturer]").is_checked()


def test_without_scripts_the_filters_apply_with_the_button(browser, live_server):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1366, "height": 800}
    )
    page = context.new_page()
    try:
        page.goto(live_server + "/en/organisations")
        page.locator("form.filter-form input[name=kind][value=manufacturer]").check()
        apply = page.locator("form.filter-form button[type=submit]")
        assert apply.is_visible()
        apply.click()
        page.wait_for_load_state()
        assert "kind=manufacturer" in page.url
    finally:
        context.close()

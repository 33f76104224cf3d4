"""Every public and staff page as a person sees it, on a 390 px phone and a 1366 px screen:
nothing wider than the screen, no control with text under 16 px, no axe-core violation. A page
that fails a check leaves its screenshot in test-artifacts/ (JPEG: a full-page PNG takes three
times as long); the forms' own tests below keep theirs whatever happens."""

from __future__ import annotations

import functools
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.servers import create_user

pytestmark = pytest.mark.browser

EMAIL = "browser-admin@example.org"
PASSWORD = "a browser-typed admin password"
PHONE = {"width": 390, "height": 844}
SCREEN = {"width": 1366, "height": 900}
SIZES = {"390": PHONE, "1366": SCREEN}

PUBLIC_PAGES = [
    "/en/",
    "/ru/",
    "/en/organisations",
    "/en/organisations?kind=startup",
    "/en/search?q=textile",
    "/en/search?q=",
    "/en/o/loomwise",
    "/en/sectors",
    "/en/sectors/textile",
    "/en/submit",
    "/en/staff/login",
    # Russian words run longer.
    "/ru/organisations",
    "/ru/search?q=ткань",
    "/ru/submit",
]
STAFF_PAGES = [
    "/en/staff/",
    "/en/staff/organisations",
    "/en/staff/organisations/new",
    "/en/staff/organisations/loomwise/edit",
    "/en/staff/organisations/loomwise/history",
    "/en/staff/moderation",
    "/en/staff/stale",
    "/en/staff/import",
    "/en/staff/users",
    "/en/staff/audit",
]

# Text controls a person types into or picks from.
CONTROLS = (
    "main input:not([type=hidden]):not([type=checkbox]):not([type=radio])"
    ":not([type=file]):not([tabindex='-1']), main textarea, main select, header input"
)


def create_admin(environment: dict[str, str]) -> None:
    done = create_user(environment, EMAIL, PASSWORD, "admin")
    assert done.exit_code == 0, done.output


@pytest.fixture(scope="module")
def admin_state(browser, live_server, live_environment, tmp_path_factory) -> str:
    """A saved logged-in admin session, for new browser contexts."""
    create_admin(live_environment)
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server + "/en/staff/login")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server + "/en/staff/")
    path = tmp_path_factory.mktemp("browser-admin") / "state.json"
    context.storage_state(path=str(path))
    context.close()
    return str(path)


@functools.cache
def axe_source() -> str:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="no axe-core")
    return axe.Axe().axe_script


def open_page(browser, size: dict, state: str | None = None):
    """A new context of this screen size and a page in it."""
    context = browser.new_context(
        viewport=size, is_mobile=size is PHONE, has_touch=size is PHONE, storage_state=state
    )
    return context, context.new_page()


def overflow(page) -> int:
    """How many pixels the page is wider than the screen."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def small_controls(page) -> list[str]:
    """Visible controls whose text is under 16 px (a phone zooms in when one gets the focus)."""
    return page.evaluate(
        """selector => [...document.querySelectorAll(selector)]
            .filter(e => e.offsetParent !== null && parseFloat(getComputedStyle(e).fontSize) < 16)
            .map(e => `${e.tagName.toLowerCase()}#${e.id} ${getComputedStyle(e).fontSize}`)""",
        CONTROLS,
    )


def axe_violations(page) -> str:
    """axe-core's report of the page's violations, empty when there are none."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="no axe-core")
    # Sent when a check needs it, not as an init script: that one ran in every document a
    # page opened (its first blank one included), half a second a check on this machine.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(axe_source())
    results = axe.AxeResults(page.evaluate("axe.run(document, {resultTypes: ['violations']})"))
    return results.generate_report() if results.violations_count else ""


def keep_screenshot(page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.jpg"), full_page=True, quality=80)


def shot_name(path: str, width: str) -> str:
    name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "home"
    return f"page-{name}-{width}"


def check_page(page, url: str, path: str, width: str, artifacts: Path) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, path
    try:
        assert overflow(page) <= 0, f"{path} at {width} px is {overflow(page)} px too wide"
        assert small_controls(page) == [], path
        assert axe_violations(page) == "", path
    except AssertionError:
        # What the failing check saw; a screenshot of every page took a tenth of the suite.
        keep_screenshot(page, artifacts, shot_name(path, width))
        raise


@pytest.fixture(scope="module")
def tab_of_size(browser):
    """One tab per screen size and session state, opened when a check first asks for it and
    taken from page to page by the checks after it.

    A context and a tab for each check took 28.4 s of the public pages' 28 checks on this
    machine, a tab each in one context per size 26.9 s, one tab per size 19.9 s: a document
    opened in the tab of the one before it finds the styles cached and axe-core compiled.
    (With the full chromium, a tab kept open this way once refused a screenshot; one is taken
    only when a check has failed, and that check's own assertion is still the one reported.)
    """
    tabs: dict[tuple[str, str | None], object] = {}

    def tab(width: str, state: str | None = None):
        if (width, state) not in tabs:
            tabs[width, state] = open_page(browser, SIZES[width], state)
        return tabs[width, state][1]

    yield tab
    for context, _ in tabs.values():
        context.close()


@pytest.mark.parametrize("width", SIZES)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_fits_the_screen_and_has_no_axe_violation(
    tab_of_size, live_server, artifacts, path, width
):
    check_page(tab_of_size(width), live_server + path, path, width, artifacts)


@pytest.mark.parametrize("width", SIZES)
@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_page_fits_the_screen_and_has_no_axe_violation(
    tab_of_size, live_server, admin_state, artifacts, path, width
):
    check_page(tab_of_size(width, admin_state), live_server + path, path, width, artifacts)


def in_viewport(page, selector: str) -> bool:
    return page.evaluate(
        """selector => { const r = document.querySelector(selector).getBoundingClientRect();
            return r.top >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; }""",
        selector,
    )


@pytest.mark.parametrize("width", SIZES)
def test_the_edit_forms_save_button_is_in_view_wherever_the_form_is_scrolled(
    browser, live_server, admin_state, width
):
    context, page = open_page(browser, SIZES[width], admin_state)
    try:
        page.goto(live_server + "/en/staff/organisations/loomwise/edit")
        save = ".org-form button[type=submit]"
        assert page.locator(save).inner_text().strip() == "Save"
        for fraction in (0, 0.3, 0.6):
            page.evaluate(
                "f => window.scrollTo(0, document.documentElement.scrollHeight * f)", fraction
            )
            assert in_viewport(page, save), fraction
        # Inputs as wide as the selects beside them.
        widths = page.evaluate(
            """() => ['#name', '#kind'].map(
                s => Math.round(document.querySelector(s).getBoundingClientRect().width))"""
        )
        assert len(set(widths)) == 1, widths
    finally:
        context.close()


@contextmanager
def submission_form(browser, live_server, size: dict):
    """A page of this size on the public submission form, its context closed afterwards."""
    context, page = open_page(browser, size)
    try:
        page.goto(live_server + "/en/submit")
        yield page
    finally:
        context.close()


def visible_kind_sections(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('fieldset[data-kind]')]
            .filter(f => f.offsetParent !== null).map(f => f.dataset.kind)"""
    )


@pytest.mark.parametrize("width", SIZES)
def test_the_submission_form_shows_only_the_chosen_kinds_section_and_every_error(
    browser, live_server, artifacts, width
):
    with submission_form(browser, live_server, SIZES[width]) as page:
        assert visible_kind_sections(page) == []
        page.select_option("#kind", "manufacturer")
        assert visible_kind_sections(page) == ["manufacturer"]
        page.select_option("#kind", "startup")
        assert visible_kind_sections(page) == ["startup"]
        keep_screenshot(page, artifacts, f"submit-startup-{width}")

        page.get_by_role("button", name="Send for review").click()
        page.wait_for_load_state()
        # Name and residency missing: both reported together, beside their fields and on top.
        summary = page.locator(".error-summary li").all_inner_texts()
        assert summary == ["Name: This field is required.", "Residency: This field is required."]
        assert page.locator("#name-error").is_visible()
        assert page.locator("#residency-error").is_visible()
        assert visible_kind_sections(page) == ["startup"]
        assert page.locator("#kind").input_value() == "startup"
        keep_screenshot(page, artifacts, f"submit-errors-{width}")
        assert overflow(page) <= 0
        assert axe_violations(page) == ""


def test_without_scripts_the_submission_form_shows_every_kinds_section(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(live_server + "/en/submit")
        assert set(visible_kind_sections(page)) >= {"startup", "manufacturer", "education"}
        # The folds are the browser's own: they open without scripts too.
        page.locator("details.org-fold summary", has_text="Location").click()
        assert page.locator("#city").is_visible()
    finally:
        context.close()


# The header, the intro and the footer take about 820 px of a phone's page; below them the form
# shows the required fields, the kind's section, summary, description, sectors, website and
# e-mail at full size (before the optional fields were folded: 5,092 and 3,737 px).
SUBMISSION_HEIGHTS = {"390": 3_400, "1366": 2_600}


def page_height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def fold_of(page, field: str):
    """The <details> holding a field."""
    return page.locator("details", has=page.locator(f"#{field}"))


def is_open(fold) -> bool:
    return fold.evaluate("details => details.open")


@pytest.mark.parametrize("width", SIZES)
def test_the_submission_form_is_short_and_a_fold_with_an_error_or_a_value_opens(
    browser, live_server, artifacts, width
):
    with submission_form(browser, live_server, SIZES[width]) as page:
        page.select_option("#kind", "startup")
        height = page_height(page)
        assert height < SUBMISSION_HEIGHTS[width], height
        assert not page.locator("#city").is_visible()
        assert axe_violations(page) == ""

        # A fold opens from the keyboard.
        facts = fold_of(page, "founded_year")
        assert not is_open(facts)
        facts.locator("summary").focus()
        page.keyboard.press("Enter")
        assert is_open(facts)
        page.locator("#founded_year").fill("next year")
        fold_of(page, "summary_alt").locator("summary").click()
        page.locator("#summary_alt").fill("Пошив малых партий.")
        page.get_by_role("button", name="Send for review").click()
        page.wait_for_load_state()

        # Sent back: the fold with the error and the one with a value are open, the rest closed.
        assert is_open(fold_of(page, "founded_year"))
        assert page.locator("#founded_year-error").is_visible()
        assert page.locator("#founded_year").input_value() == "next year"
        assert is_open(fold_of(page, "summary_alt"))
        assert page.locator("#summary_alt").input_value() == "Пошив малых партий."
        assert not is_open(fold_of(page, "city"))
        keep_screenshot(page, artifacts, f"submit-folds-{width}")
        assert overflow(page) <= 0
        assert axe_violations(page) == ""


def test_the_conflict_page_shows_the_value_the_editor_started_from_on_a_phone(
    browser, live_server, admin_state, artifacts
):
    edit = live_server + "/en/staff/organisations/gridknit/edit"
    stale_context, stale = open_page(browser, PHONE, admin_state)
    other_context, other = open_page(browser, SCREEN, admin_state)
    try:
        stale.goto(edit)
        started_from = stale.locator("#summary").input_value()
        other.goto(edit)
        other.locator("#summary").fill("Saved meanwhile by another editor.")
        other.get_by_role("button", name="Save").click()
        other.wait_for_load_state()

        stale.locator("#summary").fill("Typed by the phone's editor.")
        stale.locator("#city").fill("Shuya")
        stale.get_by_role("button", name="Save").click()
        stale.wait_for_load_state()
        assert stale.locator(".conflict-field").count() == 1
        assert stale.locator("[data-side=base]").inner_text().strip() == started_from.strip()
        assert stale.locator("[data-side=stored]").inner_text().strip() == (
            "Saved meanwhile by another editor."
        )
        assert "City" in stale.locator(".conflict-kept").inner_text()
        keep_screenshot(stale, artifacts, "conflict-390")
        assert overflow(stale) <= 0
        assert in_viewport(stale, ".conflict-form button[type=submit]")
        assert axe_violations(stale) == ""
    finally:
        stale_context.close()
        other_context.close()


def test_an_import_preview_fits_a_phone(browser, live_server, admin_state, artifacts):
    rows = (
        "name,kind,summary,website\r\n"
        "A workshop whose name runs on and on well past the width of any phone screen,"
        "manufacturer,Sewing,https://a-very-long-address-of-a-workshop.example/and/a/long/path\r\n"
        "Bad row,no-such-kind,,\r\n"
    )
    context, page = open_page(browser, PHONE, admin_state)
    try:
        for name, data in (("with-errors.csv", rows), ("valid.csv", rows.split("Bad row")[0])):
            page.goto(live_server + "/en/staff/import")
            page.set_input_files(
                "input[type=file]",
                files=[{"name": name, "mimeType": "text/csv", "buffer": data.encode()}],
            )
            page.get_by_role("button", name="Preview the import").click()
            page.wait_for_load_state()
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            keep_screenshot(page, artifacts, f"import-{name}-390")
            assert overflow(page) <= 0, name
            assert axe_violations(page) == "", name
        assert page.get_by_role("button", name="Import 1 new and 0 changed").count() == 1
    finally:
        context.close()

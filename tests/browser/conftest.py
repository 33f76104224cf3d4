"""Browser fixtures: Debian's chromium driven by Playwright against the app under gunicorn."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.servers import (
    gunicorn,
    install_debian_package,
    instance_environment,
    load_demo_in_process,
    skip_or_fail,
)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
# Chromium's headless shell first: the same Blink and V8 without the browser's own windowing
# (Playwright's default for headless runs too). With it the public page checks took 28 s and
# 17 s of chromium's CPU on this machine; with the full browser 39 s and 44 s.
HEADLESS_SHELL = "chromium-headless-shell"
HEADLESS_SHELL_PATHS = ("/usr/bin/chromium-headless-shell",)
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# Flags that keep chromium quiet and working inside containers without a GPU or a user namespace.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
]


def find_program(candidates: tuple[str, ...]) -> str | None:
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return candidate
        found = shutil.which(os.path.basename(candidate))
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium headless shell, installed first when running as root; else chromium."""
    path = find_program(HEADLESS_SHELL_PATHS)
    if path:
        return path
    failure = install_debian_package(HEADLESS_SHELL)
    path = find_program(HEADLESS_SHELL_PATHS) or find_program(CHROMIUM_PATHS)
    if path:
        return path
    skip_or_fail("the browser tests", failure or f"{HEADLESS_SHELL} cannot be found")


@pytest.fixture(scope="session")
def live_environment(tmp_path_factory) -> dict[str, str]:
    """The environment of the served instance, for running CLI commands against it."""
    environment = instance_environment(tmp_path_factory.mktemp("browser-instance"))
    environment["CLUSTER_ENV"] = "development"
    return environment


@pytest.fixture(scope="session")
def live_server(live_environment) -> str:
    """Serve a fresh instance loaded with the demo data under gunicorn; yield its base URL."""
    load_demo_in_process(live_environment)
    log = Path(live_environment["INSTANCE_PATH"]) / "gunicorn.log"
    with gunicorn(live_environment, log) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One headless chromium for the whole session."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab with its own cookies."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder at the repository root where screenshots are kept."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS

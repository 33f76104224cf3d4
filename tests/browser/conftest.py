"""Browser fixtures: Debian's chromium driven by Playwright against the app under gunicorn."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# Flags that keep chromium quiet and working inside containers without a GPU or a user namespace.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
]


def find_chromium() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def install_chromium() -> str:
    """Install Debian's chromium with apt; return why it failed, or '' on success."""
    if not shutil.which("apt-get"):
        return "chromium is not installed and apt-get is not available"
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}"
    return ""


def skip(reason: str):
    """Skip the browser tests, saying why; in CI, where chromium must be there, fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"Browser tests cannot run: {reason}")
    # Printed as well as recorded, so the reason shows even without -rs.
    print(f"\nSkipping browser tests: {reason}", file=sys.stderr)
    pytest.skip(reason=reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path to Debian's chromium, installing it first when running as root."""
    path = find_chromium()
    if path:
        return path
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        failure = install_chromium()
        path = find_chromium()
        if path:
            return path
        skip(failure or "chromium was installed but cannot be found")
    skip("chromium is not installed (apt-get install chromium as root to run these tests)")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_answering(url: str, process: subprocess.Popen, log: Path, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_environment(tmp_path_factory) -> dict[str, str]:
    """The environment of the served instance, for running CLI commands against it."""
    instance = tmp_path_factory.mktemp("browser-instance")
    environment = {
        **os.environ,
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'cluster.sqlite3'}",
        "INDEX_DIR": str(instance / "index"),
        "UPLOAD_DIR": str(instance / "uploads"),
        "SECRET_KEY": "browser-test-secret",
        "CLUSTER_ENV": "development",
        "SEARCH_BACKEND": "whoosh",
    }
    environment.pop("FLASK_APP", None)
    return environment


@pytest.fixture(scope="session")
def live_server(live_environment) -> str:
    """Serve a fresh instance loaded with the demo data under gunicorn; yield its base URL."""
    environment = live_environment
    instance = Path(environment["INSTANCE_PATH"])
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "init-db", "--with-demo"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"init-db --with-demo failed:\n{done.stdout}\n{done.stderr}")
    port = free_port()
    log = instance / "gunicorn.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "wsgi:app", "-b", f"127.0.0.1:{port}", "-w", "2"],
            cwd=ROOT,
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(base_url + "/en/", process, log)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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

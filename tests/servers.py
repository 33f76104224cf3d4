"""Real servers for tests: Debian packages installed on demand, gunicorn on a free port."""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import Result

from cluster import config, create_app
from cluster.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def install_debian_package(package: str) -> str:
    """Install a Debian package with apt; return why it failed, or '' on success."""
    if not shutil.which("apt-get"):
        return f"{package} is not installed and apt-get is not available"
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return f"{package} is not installed (apt-get install {package} as root to run these)"
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Test workers installing chromium and nginx at once would fail on apt's lock: they take
    # turns on a lock of ours, and wait for apt's own (held by anyone else) up to ten minutes.
    wait = ["-o", "DPkg::Lock::Timeout=600"]
    commands = (["apt-get", *wait, "update"], ["apt-get", *wait, "install", "-y", package])
    with open(Path(tempfile.gettempdir()) / "cluster-tests-apt.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for command in commands:
            done = subprocess.run(
                command, env=environment, capture_output=True, text=True, check=False
            )
            if done.returncode != 0:
                return f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}"
    return ""


def skip_or_fail(what: str, reason: str):
    """Skip, saying why; in CI, where every server must be there, fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} cannot run: {reason}")
    # Printed as well as recorded, so the reason shows even without -rs.
    print(f"\nSkipping {what}: {reason}", file=sys.stderr)
    pytest.skip(reason=reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def served_command(environment: dict[str, str], *args: str, input: str | None = None) -> Result:
    """Run one of the app's commands on the served instance, in this process.

    The app is built from the settings the instance is served with, as `flask --app wsgi`
    builds it from that environment; a process of its own took 3 s to start on this machine.
    """
    settings = {
        **config.from_environment(environment),
        "INSTANCE_PATH": environment["INSTANCE_PATH"],
    }
    app = create_app(settings)
    try:
        # An error the command does not report itself is raised here, with its traceback.
        return app.test_cli_runner().invoke(args=list(args), input=input, catch_exceptions=False)
    finally:
        with app.app_context():
            db.engine.dispose()


def create_user(environment: dict[str, str], email: str, password: str, role: str) -> Result:
    """`flask create-user` on the served instance; its result."""
    return served_command(
        environment, "create-user", email, "--role", role, "--password-stdin", input=password + "\n"
    )


# The headers of every mail the app sends, in order (MIME-Version aside): no others get in.
MAIL_HEADERS = ["From", "To", "Subject", "Content-Type", "Content-Transfer-Encoding"]


class Sink:
    """An SMTP server that keeps every envelope it is handed."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


@contextmanager
def smtp_server(app, sender: str):
    """A real SMTP server in a thread, and the app configured to send through it as `sender`."""
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SENDER=sender)
    try:
        yield sink
    finally:
        controller.stop()


def wait_until_answering(url: str, process: subprocess.Popen, log: Path, timeout: float = 60):
    """Wait until the URL answers 200, or fail with the server's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"no answer from {url} within {timeout} s:\n{log.read_text()}")


def instance_environment(instance: Path) -> dict[str, str]:
    """The environment of an app whose files all live in `instance`."""
    environment = {
        **os.environ,
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'cluster.sqlite3'}",
        "INDEX_DIR": str(instance / "index"),
        "UPLOAD_DIR": str(instance / "uploads"),
        "SECRET_KEY": "served-test-secret",
        "SEARCH_BACKEND": "whoosh",
    }
    environment.pop("FLASK_APP", None)
    return environment


def load_demo(environment: dict[str, str]) -> None:
    """`init-db --with-demo` on the instance, as the README's first command runs it."""
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


def load_demo_in_process(environment: dict[str, str]) -> None:
    """The same command through served_command: the browser tests' data without a process of
    its own; the deployment tests keep the command line itself."""
    done = served_command(environment, "init-db", "--with-demo")
    if done.exit_code != 0:
        raise RuntimeError(f"init-db --with-demo failed:\n{done.output}")


@contextmanager
def gunicorn(environment: dict[str, str], log: Path, workers: int = 2, extra=()):
    """Serve wsgi:app under gunicorn on a free port; yield its base URL."""
    port = free_port()
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "wsgi:app",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(workers),
                *extra,
            ],
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
        stop(process)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

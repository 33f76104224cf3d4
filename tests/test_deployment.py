"""The several-servers deployment: Debian's nginx (deploy/nginx.conf) in front of gunicorn.

Slow clients are what the proxy is for: gunicorn's sync workers each read one request at a
time, so a handful of connections sending a header line every few seconds holds them all.
"""

from __future__ import annotations

import getpass
import re
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from tests.servers import (
    ROOT,
    free_port,
    gunicorn,
    install_debian_package,
    instance_environment,
    load_demo,
    skip_or_fail,
    stop,
    wait_until_answering,
)

NGINX = "/usr/sbin/nginx"
# How long the slow clients keep their connections open while normal requests are timed: longer
# than the 3 s in which the same attack stalls gunicorn alone, shorter than nginx's 10 s
# client_header_timeout, after which nginx drops them itself.
ATTACK_SECONDS = 4.0
# A slow client sends another header line this often; a normal request is timed this often.
DRIP_SECONDS = 1.0
PAUSE_SECONDS = 0.25


def nginx_binary() -> str:
    if shutil.which(NGINX) or Path(NGINX).exists():
        return NGINX
    failure = install_debian_package("nginx-light")
    if Path(NGINX).exists():
        return NGINX
    skip_or_fail("the nginx deployment test", failure or "nginx was installed but not found")
    raise AssertionError("unreachable")


def site_config(app_url: str, port: int) -> str:
    """deploy/nginx.conf with its "set:" lines pointed at this test's servers."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    replacements = {
        "server 127.0.0.1:8000;": f"server {app_url.removeprefix('http://')};",
        "listen 80;": f"listen 127.0.0.1:{port};",
        "alias /srv/cluster/static/;": f"alias {ROOT / 'static'}/;",
    }
    for line, replacement in replacements.items():
        assert line in text, f"deploy/nginx.conf no longer has {line!r}"
        text = text.replace(line, replacement)
    return text


@contextmanager
def nginx(app_url: str, folder: Path):
    """Debian's nginx on a free port with the repository's site configuration."""
    port = free_port()
    (folder / "cluster.conf").write_text(site_config(app_url, port))
    (folder / "nginx.conf").write_text(
        f"""
        # Workers as the user running the tests: they read static/ in the checkout, which may
        # sit in a folder only that user may enter (a clone made in `mktemp -d`).
        user {getpass.getuser()};
        worker_processes 1;
        pid {folder}/nginx.pid;
        error_log {folder}/error.log;
        daemon off;
        events {{ worker_connections 512; }}
        http {{
            include /etc/nginx/mime.types;
            access_log {folder}/access.log;
            client_body_temp_path {folder}/body;
            proxy_temp_path {folder}/proxy;
            fastcgi_temp_path {folder}/fastcgi;
            uwsgi_temp_path {folder}/uwsgi;
            scgi_temp_path {folder}/scgi;
            include {folder}/cluster.conf;
        }}
        """
    )
    log = folder / "error.log"
    log.touch()
    process = subprocess.Popen(
        [nginx_binary(), "-c", str(folder / "nginx.conf"), "-p", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(base_url + "/en/", process, log)
        yield base_url
    finally:
        stop(process)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """gunicorn (2 sync workers, the demo data) and nginx in front of it."""
    folder = tmp_path_factory.mktemp("deployment")
    environment = {**instance_environment(folder / "instance"), "PROXY_COUNT": "1"}
    load_demo(environment)
    with gunicorn(environment, folder / "gunicorn.log") as app_url, nginx(app_url, folder) as proxy:
        yield app_url, proxy, folder / "instance"


@contextmanager
def slow_clients(url: str, count: int):
    """`count` connections that send a request's headers a line a second, never finishing."""
    host, port = url.removeprefix("http://").split(":")
    stopping = threading.Event()
    sockets = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)), timeout=5)
        sock.sendall(b"GET /en/ HTTP/1.1\r\nHost: localhost\r\n")
        sockets.append(sock)

    def drip():
        while not stopping.wait(DRIP_SECONDS):
            for sock in sockets:
                # OSError: the server hung up on it, exactly what it should do.
                with suppress(OSError):
                    sock.sendall(b"X-Slow: still here\r\n")

    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    try:
        time.sleep(0.5)  # let every connection reach the server first
        yield
    finally:
        stopping.set()
        for sock in sockets:
            sock.close()
        dripper.join()


def answer_times(url: str, seconds: float) -> list[float | None]:
    """Time a normal request every quarter second; None for one that took over a second."""
    times: list[float | None] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                assert response.status == 200
            times.append(time.monotonic() - started)
        except OSError:
            times.append(None)
        time.sleep(PAUSE_SECONDS)
    return times


@pytest.mark.parametrize("count", [6, 50])
def test_slow_clients_do_not_stop_normal_requests_through_nginx(served, count):
    _, proxy_url, _ = served
    with slow_clients(proxy_url, count):
        times = answer_times(proxy_url + "/en/", ATTACK_SECONDS)
    # A stalled server fails request after request (see the test below); one late answer on a
    # busy machine (the suite's other worker shares the two cores) is not a stall.
    assert len(times) >= 8 and times.count(None) <= 1, times


def test_without_the_proxy_six_slow_clients_do_stall_gunicorn(served):
    # What the proxy is for: the same attack straight at gunicorn holds both workers.
    app_url, _, _ = served
    with slow_clients(app_url, 6):
        times = answer_times(app_url + "/en/", 3.0)
    assert None in times, times


def test_nginx_serves_static_files_itself(served):
    _, proxy_url, _ = served
    with urllib.request.urlopen(proxy_url + "/static/css/site.css", timeout=5) as response:
        assert response.status == 200
        assert response.headers["Server"].startswith("nginx")
        # The app adds a Content-Security-Policy to everything it answers; nginx does not.
        assert "Content-Security-Policy" not in response.headers
        assert response.headers["Cache-Control"] == "public, max-age=86400"
    # A versioned address, as the pages write them, names the same bytes for ever.
    with urllib.request.urlopen(proxy_url + "/static/css/site.css?v=1a2b", timeout=5) as response:
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_app_sees_the_visitors_address_and_a_client_cannot_pick_its_own(served):
    _, proxy_url, instance = served
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    with browser.open(proxy_url + "/en/staff/login", timeout=5) as response:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode())
    assert token
    form = {"email": "nobody@example.org", "password": "wrong", "csrf_token": token.group(1)}
    request = urllib.request.Request(
        proxy_url + "/en/staff/login",
        data=urllib.parse.urlencode(form).encode(),
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    with browser.open(request, timeout=5) as response:
        assert "Wrong e-mail or password." in response.read().decode()
    # The failed login's audit entry: the address nginx saw, not the one the client sent.
    with sqlite3.connect(instance / "cluster.sqlite3") as connection:
        (ip,) = connection.execute(
            "SELECT ip FROM audit_log WHERE action = 'login-failed' ORDER BY id DESC"
        ).fetchone()
    assert ip == "127.0.0.1"

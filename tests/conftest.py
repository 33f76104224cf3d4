"""Fixtures: a fresh app on a temporary instance folder (real SQLite file, real Whoosh index)."""

from __future__ import annotations

import pytest

from cluster.extensions import db
from tests.helpers import StaffSession, build_app, share_url_builders


def pytest_configure(config):
    share_url_builders()


@pytest.fixture
def app(tmp_path):
    app = build_app(tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def staff(app, client):
    """The test client's staff session helper: staff.login(role="admin"), staff.post(...)."""
    return StaffSession(app, client)


# Tests sharing an expensive module or session fixture (a gunicorn server and chromium, a judged
# catalogue, a rebuilt index): under xdist (--dist loadgroup) each group runs on one worker, so
# the fixture is built once, not once per worker.
SHARED_SETUP = {
    # The page-fit tests are two thirds of the browser tests' time, about half the suite's on
    # a busy machine: as one group they were the last worker's whole run. Their public pages and
    # the rest are two groups, each beside other work (a worker builds one server and browser
    # for whichever browser groups it runs).
    "tests/browser/test_pages_fit.py::test_public_page": "browser-pages-public",
    "tests/browser/test_pages_fit.py": "browser-pages",
    "tests/browser/": "browser",
    "tests/search/test_relevance.py": "relevance",
    "tests/search/test_relevance_language.py": "relevance-language",
    "tests/search/test_whoosh_rebuild.py": "whoosh-rebuild",
    "tests/test_deployment.py": "deployment",
}


# First: xdist reads the groups in its own collection hook, and a group added after it is none.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        for prefix, group in SHARED_SETUP.items():
            if item.nodeid.startswith(prefix):
                # The first prefix that fits: a test's own group before its file's, a file's
                # before its folder's.
                item.add_marker(pytest.mark.xdist_group(group))
                break


# First: xdist sends the workers' test ids to its scheduler in its own collection_finish hook.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session):
    """Name each grouped test's group in its id, where xdist's scheduler looks for it.

    xdist 3.8 appends "@group" by assigning `item._nodeid`, which pytest 9.2 no longer reads
    (a node's id is `item._id`): every group was ignored, and each worker built the shared
    servers, browsers and indexes again. Done here when xdist's own renaming did not take.
    """
    if not getattr(session.config.option, "loadgroup", False):
        return
    from _pytest.nodeid import NodeId

    for item in session.items:
        marks = {str(mark.args[0]) for mark in item.iter_markers("xdist_group") if mark.args}
        suffix = "@" + "_".join(sorted(marks))
        if not marks or item.nodeid.endswith(suffix):
            continue
        item._id = NodeId.parse(item.nodeid + suffix)
        if not item.nodeid.endswith(suffix):
            raise pytest.UsageError(f"cannot name the xdist group of {item.nodeid}")

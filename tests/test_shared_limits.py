"""Several servers share the request limits through Redis; one server alone keeps them in
memory. (Failed logins are counted in the database whatever the storage: tests/test_logins.py.)"""

import uuid

import pytest
import redis

from cluster import create_app
from tests.helpers import build_app
from tests.test_submissions import submission

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own, removed from Redis afterwards."""
    prefix = f"cluster-test-{uuid.uuid4().hex}"
    yield prefix
    connection = redis.Redis.from_url(REDIS_URL)
    keys = list(connection.scan_iter(f"*{prefix}*"))
    if keys:
        connection.delete(*keys)


def submissions(app, names: list[str]) -> list[int]:
    """Send one public submission per name to one server; return the status codes."""
    client = app.test_client()
    return [
        client.post("/en/submit", data=submission(client, name=name, email="")).status_code
        for name in names
    ]


def second_server(app):
    """Another app on the same database and settings, as a second gunicorn host would be."""
    return create_app({key: app.config[key] for key in SHARED_SETTINGS if key in app.config})


SHARED_SETTINGS = (
    "TESTING",
    "INSTANCE_PATH",
    "SECRET_KEY",
    "DATABASE_URL",
    "INDEX_DIR",
    "UPLOAD_DIR",
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_KEY_PREFIX",
    "DEFAULT_LOCALE",
)
FIRST = ["Kite Works", "Prism Print", "Oak Weavers"]
SECOND = ["Nimbus Animation", "Vela School", "Sixth Studio"]


def test_submissions_counted_on_one_server_limit_another_through_redis(tmp_path, redis_prefix):
    first = build_app(tmp_path, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix)
    assert submissions(first, FIRST) == [303] * 3
    second = second_server(first)
    assert submissions(second, SECOND) == [303, 303, 429]


def test_memory_limits_are_kept_by_each_server_alone(tmp_path):
    first = build_app(tmp_path, RATELIMIT_STORAGE_URI="memory://", RATELIMIT_KEY_PREFIX="m")
    assert submissions(first, FIRST) == [303] * 3
    second = second_server(first)
    assert submissions(second, SECOND) == [303] * 3

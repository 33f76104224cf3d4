"""Several servers share login limits through Redis; one server alone keeps them in memory."""

import re
import uuid

import pytest
import redis

from cluster import create_app
from tests.helpers import build_app, make_user

REDIS_URL = "redis://127.0.0.1:6379/0"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own, removed from Redis afterwards."""
    prefix = f"cluster-test-{uuid.uuid4().hex}"
    yield prefix
    connection = redis.Redis.from_url(REDIS_URL)
    keys = list(connection.scan_iter(f"*{prefix}*"))
    if keys:
        connection.delete(*keys)


def failed_logins(app, count: int) -> list[int]:
    """Send `count` wrong passwords to one server; return the status codes."""
    client = app.test_client()
    token = CSRF_FIELD.search(client.get("/en/staff/login").get_data(as_text=True)).group(1)
    return [
        client.post(
            "/en/staff/login",
            data={"email": "editor@example.org", "password": "wrong", "csrf_token": token},
        ).status_code
        for _ in range(count)
    ]


def second_server(app):
    """Another app on the same database and settings, as a second gunicorn host would be."""
    return create_app({key: app.config[key] for key in SHARED_SETTINGS})


SHARED_SETTINGS = (
    "TESTING",
    "INSTANCE_PATH",
    "SECRET_KEY",
    "DATABASE_URL",
    "INDEX_DIR",
    "UPLOAD_DIR",
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_KEY_PREFIX",
)


def test_failures_counted_on_one_server_limit_logins_on_another_through_redis(
    tmp_path, redis_prefix
):
    first = build_app(tmp_path, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix)
    make_user(first)
    assert failed_logins(first, 6) == [200] * 6
    second = second_server(first)
    assert failed_logins(second, 5) == [200] * 4 + [429]


def test_memory_limits_are_kept_by_each_server_alone(tmp_path):
    first = build_app(tmp_path, RATELIMIT_STORAGE_URI="memory://", RATELIMIT_KEY_PREFIX="m")
    make_user(first)
    assert failed_logins(first, 6) == [200] * 6
    second = second_server(first)
    assert failed_logins(second, 5) == [200] * 5

"""Settings: package defaults here, then instance/config.py, then environment variables."""

import os
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

# Keys read from the environment, with the type to convert each to.
ENV_KEYS: dict[str, Callable[[str], Any]] = {
    "SECRET_KEY": str,
    "SITE_NAME": str,
    "SITE_NAME_RU": str,
    "DATABASE_URL": str,
    "SEARCH_BACKEND": str,
    "INDEX_DIR": str,
    "UPLOAD_DIR": str,
    "RATELIMIT_STORAGE_URI": str,
    "IMPORT_DIR": str,
    "IMPORT_MAX_BYTES": int,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_SENDER": str,
    "MAIL_USE_TLS": lambda value: value.lower() in ("1", "true", "yes", "on"),
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "PER_PAGE": int,
    "PAGE_CACHE_ENTRIES": int,
    "PROXY_COUNT": int,
    "DEFAULT_LOCALE": str,
    "API_RATE_LIMIT": str,
    "NUMBERS_CACHE_SECONDS": float,
    "FUNDING_CHECK_SECONDS": float,
    "DOWNLOAD_RATE_LIMIT": str,
}


class Defaults:
    # Languages of the interface: a page's address starts with one (/ru/..., /en/...); this is
    # the one for visitors whose browser asks for neither.
    DEFAULT_LOCALE = "ru"
    # Dates and times are stored in UTC and shown in the technopark's time.
    BABEL_DEFAULT_TIMEZONE = "Europe/Moscow"
    # Shown in the header, titles and e-mails; SITE_NAME_<LANGUAGE> names it in one language.
    SITE_NAME = "Shuttle & Pixel Technopark"
    SITE_NAME_RU = "Технопарк «Челнок и Пиксель»"
    # Signs sessions and CSRF tokens; unset means a random key kept in <instance>/secret_key.
    SECRET_KEY = None
    # None means: a SQLite file in the instance folder.
    DATABASE_URL = None
    # "whoosh" (embedded, default) or "postgres" (needs DATABASE_URL on PostgreSQL).
    SEARCH_BACKEND = "whoosh"
    # None means: <instance>/index and <instance>/uploads.
    INDEX_DIR = None
    UPLOAD_DIR = None
    # Process memory by default; redis://127.0.0.1:6379/0 when several servers share limits.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Requests one address may make to the JSON API v1, all its operations together.
    API_RATE_LIMIT = "300 per minute"
    # Lists one address may download as .xlsx or CSV (each up to 1,000 rows to write).
    DOWNLOAD_RATE_LIMIT = "20 per minute"
    # "The cluster in numbers" counts again when the index has changed, at most this often.
    NUMBERS_CACHE_SECONDS = 60.0
    # How often the investor view asks the database whether another process changed an
    # organisation (this process's own commits are seen at once).
    FUNDING_CHECK_SECONDS = 5.0
    # Organisations per directory or search page.
    PER_PAGE = 20
    # Rendered public pages each process keeps, sent again while the index is unchanged (0: none).
    PAGE_CACHE_ENTRIES = 500
    # Largest request body (logo uploads and CSV imports included).
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # Largest single form field; longer values are a validation error, not a crash.
    MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    # Reverse proxies in front of gunicorn (e.g. 1 for nginx): their X-Forwarded-For and
    # X-Forwarded-Proto are trusted, so rate limits and the audit log see each visitor's
    # address, not the proxy's. 0 ignores those headers, which anyone can send.
    PROXY_COUNT = 0
    # Argon2id parameters, a profile of argon2.profiles: RFC 9106's low-memory choice (64 MiB,
    # 3 passes). The tests use CHEAPEST; a weaker profile here would weaken every password.
    PASSWORD_HASH_PROFILE = "RFC_9106_LOW_MEMORY"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    # Uploaded import files wait here between preview and confirm (None: <instance>/imports).
    IMPORT_DIR = None
    # Largest CSV or JSON file staff may upload for import.
    IMPORT_MAX_BYTES = 10 * 1024 * 1024
    # Outgoing mail for "sent back" notes; unset means the message is logged instead.
    MAIL_SERVER = None
    MAIL_PORT = 25
    # From address; None means noreply@<SERVER_NAME or localhost>.
    MAIL_SENDER = None
    MAIL_USE_TLS = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None


def from_environment(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Return the settings given as environment variables, converted to their types."""
    settings: dict[str, Any] = {}
    for key, convert in ENV_KEYS.items():
        value = environ.get(key)
        if value not in (None, ""):
            settings[key] = convert(value)
    return settings

"""Two languages: the language is the first part of every page's address (/ru/..., /en/...).

A page's language comes from its address, so a copied link opens in the same language and
both versions can be cached and indexed. `/` and addresses without a language send the
visitor to the language of their account (staff), else their browser's choice, else
DEFAULT_LOCALE. The JSON API answers in `?lang=` or the Accept-Language language. The
catalogues are kept as .po files in translations/ and compiled into the instance folder at
start-up, so a fresh clone shows Russian without a build step.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import sqlalchemy as sa
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, g, has_request_context, redirect, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.routing import BuildError, RequestRedirect

from .extensions import babel, db
from .models import User

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
LOCALES = ("ru", "en")
LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}
# The part of the URL every page's rule starts with.
PREFIX = "/<any({}):lang>".format(", ".join(LOCALES))
# Paths that never carry a language: files, uploads and the JSON API.
UNPREFIXED = ("/static/", "/uploads/", "/api/")


def init_app(app: Flask) -> None:
    directory = compile_catalogues(Path(app.instance_path) / "translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(directory)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["DEFAULT_LOCALE"])
    babel.init_app(app, locale_selector=select_locale)
    app.url_value_preprocessor(take_language)
    app.url_defaults(give_language)
    app.add_url_rule("/", "root", root)
    app.before_request(remember_staff_language)
    app.context_processor(
        lambda: {"LOCALES": LOCALES, "LANGUAGE_NAMES": LANGUAGE_NAMES, "current_lang": lang()}
    )
    app.add_template_global(alternate_urls)
    app.add_template_global(site_name)


def compile_catalogues(target: Path) -> Path:
    """Write the .mo file of every catalogue in translations/ that is missing or older there."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/*.po"):
        mo_path = target / po_path.relative_to(TRANSLATIONS).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as source:
            catalog = read_po(source)
        # Written aside and renamed: gunicorn workers start together and read as others write.
        fd, partial = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.partial")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)
        os.replace(partial, mo_path)
    return target


def lang() -> str:
    """The language of the current page or answer."""
    return str(get_locale() or current_app.config["DEFAULT_LOCALE"])


def site_name(language: str | None = None) -> str:
    """The technopark's name in this language (SITE_NAME_RU for Russian), else SITE_NAME."""
    config = current_app.config
    return str(config.get(f"SITE_NAME_{(language or lang()).upper()}") or config["SITE_NAME"])


def take_language(endpoint, values) -> None:
    """Keep the address's language for this request (views do not receive it)."""
    if values and "lang" in values:
        g.lang = values.pop("lang")


def give_language(endpoint, values) -> None:
    """url_for() keeps the page's language unless another is asked for."""
    if "lang" not in values and current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        values["lang"] = g.get("lang") or lang()


def preferred_language() -> str:
    """The visitor's language when the address gives none: account, browser, default."""
    account_language = getattr(current_user, "locale", "") if current_user else ""
    if account_language in LOCALES:
        return account_language
    return request.accept_languages.best_match(LOCALES) or current_app.config["DEFAULT_LOCALE"]


def address_language() -> str:
    """The language the address starts with ("" if none)."""
    first = request.path.split("/")[1]
    return first if first in LOCALES else ""


def select_locale() -> str:
    """Flask-Babel's choice: the address, the API's ?lang=, else the preferred language.

    Outside a request (the command line, an import run by a script) it is DEFAULT_LOCALE.
    """
    if not has_request_context():
        return current_app.config["DEFAULT_LOCALE"]
    if g.get("lang") or address_language():
        return g.get("lang") or address_language()
    asked = request.args.get("lang", "")
    if request.path.startswith("/api/") and asked in LOCALES:
        return asked
    return preferred_language()


def remember_staff_language() -> None:
    """Keep the language a member of staff works in, for their next visit and login."""
    language = address_language()
    if not language or not current_user or not current_user.is_authenticated:
        return
    if current_user.locale != language:
        # Its own statement and commit: the page's own transaction is not started yet.
        db.session.execute(
            sa.update(User).where(User.id == current_user.id).values(locale=language)
        )
        db.session.commit()


def root():
    """Send a visitor to the home page in their language."""
    return redirect(url_for("public.home", lang=preferred_language()), 302)


def language_redirect():
    """An address without a language that would exist with one: redirect there (old links)."""
    path = request.path
    if path.startswith(UNPREFIXED) or address_language():
        return None
    target = f"/{preferred_language()}{path}"
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        adapter.match(target, method=request.method)
    except RequestRedirect:
        pass  # the prefixed address exists, in its canonical form
    except Exception:
        return None
    query = request.query_string.decode("latin-1")
    # 308 keeps the method and body: a form posted to an old address still arrives.
    return redirect(target + (f"?{query}" if query else ""), 308)


def alternate_urls() -> dict[str, str]:
    """This page's address in every language (empty where the page has no language)."""
    endpoint = request.endpoint
    if not endpoint or not current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        return {}
    args = {**(request.view_args or {}), **request.args.to_dict(flat=False)}
    urls = {}
    for code in LOCALES:
        try:
            urls[code] = url_for(endpoint, **{**args, "lang": code})
        except BuildError:
            return {}
    return urls

"""The Russian catalogue: complete, current with the code, and right with numbers."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, ngettext

from cluster.i18n import LOCALES, TRANSLATIONS
from cluster.translations import extract


def catalogue(locale: str):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=locale)


@pytest.fixture(scope="module")
def russian():
    return catalogue("ru")


def test_every_message_has_a_russian_translation_and_none_is_fuzzy(russian):
    missing = [
        message.id
        for message in russian
        if message.id
        and (not message.string or (isinstance(message.string, tuple) and not all(message.string)))
    ]
    fuzzy = [message.id for message in russian if message.id and message.fuzzy]
    assert missing == [] and fuzzy == []


def test_the_translations_keep_every_placeholder(russian):
    problems = [(message.id, errors) for message, errors in russian.check() if errors]
    assert problems == []


def test_a_fresh_extraction_finds_nothing_the_catalogues_lack(tmp_path):
    extract(tmp_path / "fresh.pot")
    with (tmp_path / "fresh.pot").open("rb") as file:
        fresh = {message.id for message in read_po(file) if message.id}
    for locale in LOCALES:
        known = {message.id for message in catalogue(locale) if message.id}
        assert sorted(map(str, fresh - known)) == [], locale


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "1 организация"),
        (2, "2 организации"),
        (5, "5 организаций"),
        (11, "11 организаций"),
        (21, "21 организация"),
    ],
)
def test_russian_counts_take_the_three_plural_forms(app, count, expected):
    with app.test_request_context("/ru/"), force_locale("ru"):
        text = ngettext("%(num)s organisation", "%(num)s organisations", count)
    assert text == expected

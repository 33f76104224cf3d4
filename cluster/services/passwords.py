"""Which staff passwords are too easy to guess: common ones, repeats and runs of characters.

The common passwords are the 30,000 of zxcvbn's own list (the `zxcvbn` package on PyPI, which
ships them as `zxcvbn.frequency_lists`; drawn from leaked password sets), compared without
letter case and spaces, so "Password 12" is "password12" too.
"""

from __future__ import annotations

from functools import cache

from flask_babel import gettext as _
from zxcvbn.frequency_lists import FREQUENCY_LISTS

# The keys of the keyboards people type on, Latin and Russian, row after row: a walk along
# them ("qwertyuiopasdf") is a sequence too.
KEYBOARDS = (
    "1234567890",
    "qwertyuiopasdfghjklzxcvbnm",
    "йцукенгшщзхъфывапролджэячсмитьбю",
)
ALPHABETS = (
    "0123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
)


@cache
def common_passwords() -> frozenset[str]:
    """zxcvbn's list of common passwords, lower-case."""
    return frozenset(word.casefold() for word in FREQUENCY_LISTS["passwords"])


def folded(password: str) -> str:
    """The password as the checks compare it: lower-case, without spaces."""
    return "".join(password.casefold().split())


def is_repeated(text: str) -> bool:
    """True for one character or one short block typed again and again ("aaaa", "abab")."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return True
    return False


# Each line forwards and backwards, and round its end ("7890123").
RUNS = tuple(run for line in (*ALPHABETS, *KEYBOARDS) for run in (line * 2, (line * 2)[::-1]))


def is_sequence(text: str) -> bool:
    """True for a run along an alphabet, the digits or a keyboard row ("abcdef", "0987654321")."""
    return len(text) >= 3 and any(text in run for run in RUNS)


def weakness(password: str) -> str | None:
    """Why the password is too easy to guess, in a sentence for the form; None if it is not."""
    text = folded(password)
    if text in common_passwords():
        return _(
            "This password is one of the most common ones and would be guessed quickly. "
            "Choose another, for example three or four unrelated words."
        )
    if is_repeated(text):
        return _(
            "The password repeats the same characters. "
            "Choose another, for example three or four unrelated words."
        )
    if is_sequence(text):
        return _(
            "The password is a run of consecutive characters (like 12345 or qwerty). "
            "Choose another, for example three or four unrelated words."
        )
    return None

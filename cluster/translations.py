"""The catalogues' upkeep: `flask --app wsgi translations update` after changing any text.

It extracts every string marked for translation (babel.cfg: the package and the templates)
into translations/messages.pot and merges it into each language's messages.po, where the
translator fills in what is new; the app compiles the .po files itself when it starts.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface

from .i18n import LOCALES, TRANSLATIONS

ROOT = TRANSLATIONS.parent
TEMPLATE = TRANSLATIONS / "messages.pot"
# The lazy and plural forms the code uses, beside pybabel's own gettext keywords.
KEYWORDS = ("_l", "lazy_gettext", "lazy_ngettext:1,2")


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract(output: Path = TEMPLATE) -> None:
    """Write every marked string of the code and templates to a .pot file."""
    keywords = [item for keyword in KEYWORDS for item in ("-k", keyword)]
    # From the repository root, so the catalogue names source files by relative paths.
    with contextlib.chdir(ROOT):
        _extract(keywords, output)


def _extract(keywords: list[str], output: Path) -> None:
    pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        *keywords,
        "--no-wrap",
        "--sort-by-file",
        "--project=cluster-directory",
        "-o",
        str(output),
        ".",
    )


@click.group("translations")
def translations_command() -> None:
    """Keep the interface's Russian and English catalogues up to date."""


@translations_command.command("update")
def update_command() -> None:
    """Extract the marked strings and merge them into every language's catalogue."""
    extract()
    for locale in LOCALES:
        po = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
        command = "update" if po.exists() else "init"
        pybabel(command, "-i", str(TEMPLATE), "-d", str(TRANSLATIONS), "-l", locale, "--no-wrap")
    click.echo(f"Updated {', '.join(LOCALES)} from {TEMPLATE.relative_to(ROOT)}.")

"""The search package stays in modules small enough to read whole."""

from __future__ import annotations

from pathlib import Path

import pytest

SEARCH = Path(__file__).resolve().parents[2] / "cluster" / "search"
ENGINES = ("whoosh", "postgres")


def lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("engine", ENGINES)
def test_each_engine_is_a_package_of_modules_under_250_lines(engine):
    modules = sorted((SEARCH / engine).glob("*.py"))
    assert modules
    assert {path.name: lines(path) for path in modules if lines(path) > 250} == {}


def test_no_search_module_is_over_400_lines():
    modules = SEARCH.rglob("*.py")
    assert {str(path): lines(path) for path in modules if lines(path) > 400} == {}

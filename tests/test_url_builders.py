"""The URL builders the test apps share (tests/helpers.py) are the ones werkzeug compiles."""

from __future__ import annotations

from flask import url_for
from werkzeug.routing import Rule

from tests.helpers import build_app, compile_builder, shared_builder


def test_every_routes_shared_builder_is_the_one_werkzeug_compiles(app):
    assert Rule._compile_builder is shared_builder, "the suite builds every app's URLs anew"
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 50
    for rule in rules:
        for append_unknown in (False, True):
            shared = shared_builder(rule, append_unknown).__code__
            fresh = compile_builder(rule, append_unknown).__code__
            assert shared.co_code == fresh.co_code, rule.rule
            assert shared.co_consts == fresh.co_consts, rule.rule
            assert shared.co_names == fresh.co_names, rule.rule
            assert shared.co_varnames == fresh.co_varnames, rule.rule


def test_apps_sharing_builders_each_build_their_own_addresses(tmp_path):
    first = build_app(tmp_path / "first", SERVER_NAME="one.example")
    second = build_app(tmp_path / "second", SERVER_NAME="two.example")
    addresses = []
    for app in (first, second):
        with app.test_request_context():
            addresses.append(url_for("public.profile", lang="ru", slug="loomwise", page=2))
            addresses.append(url_for("public.profile", lang="en", slug="a b", _external=True))
    assert addresses == [
        "/ru/o/loomwise?page=2",
        "http://one.example/en/o/a%20b",
        "/ru/o/loomwise?page=2",
        "http://two.example/en/o/a%20b",
    ]

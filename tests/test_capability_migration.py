"""The offers-and-needs migration reads today's text of organisations already stored."""

from __future__ import annotations

import json

import sqlalchemy as sa

from cluster.extensions import db
from tests.test_migrations import bare_app

BEFORE = "c7e2a91d4f10"  # the revision just before the offers and needs columns


def test_the_migration_fills_offers_needs_and_quantities_from_stored_text(tmp_path):
    app = bare_app(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite3'}")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade", BEFORE])
    assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.begin() as conn:
            for slug, capabilities, needs, min_order in (
                ("stezhok", ["пошив верхней одежды"], ["швеи"], "от 30 шт."),
                ("vague", [], [], "по договорённости"),
            ):
                conn.execute(
                    sa.text(
                        "INSERT INTO organisations (slug, name, name_alt, kind, residency,"
                        " status, summary, description, tags, capabilities, needs, looking_for,"
                        " equipment, min_order, capacity, programmes, currency, city, address,"
                        " building, floor, unit, website, email, phone, social_links, logo,"
                        " created_at, updated_at, version)"
                        " VALUES (:slug, :slug, '', 'manufacturer', 'resident', 'published',"
                        " '', '', '[]', :capabilities, :needs, '[]', '[]', :min_order, '', '[]',"
                        " '', '', '', '', '', '', '', '', '', '[]', '', '2026-01-01',"
                        " '2026-01-01', 1)"
                    ),
                    {
                        "slug": slug,
                        "capabilities": json.dumps(capabilities, ensure_ascii=False),
                        "needs": json.dumps(needs, ensure_ascii=False),
                        "min_order": min_order,
                    },
                )
        db.engine.dispose()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = {
            row.slug: row
            for row in db.session.execute(
                sa.text(
                    "SELECT slug, offers, needs_capabilities, min_order_quantity, min_order_unit"
                    " FROM organisations"
                )
            )
        }
        stezhok = rows["stezhok"]
        assert set(json.loads(stezhok.offers)) == {"garment-sewing", "outerwear-sewing"}
        assert json.loads(stezhok.needs_capabilities) == ["machinists"]
        assert (stezhok.min_order_quantity, stezhok.min_order_unit) == (30, "pieces")
        assert (rows["vague"].min_order_quantity, rows["vague"].min_order_unit) == (None, "")
        db.session.remove()
        db.engine.dispose()

"""The data model: defaults, the sector relation, and optimistic locking by version."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from cluster.extensions import db
from cluster.models import Organisation, Sector


def sector(slug: str) -> Sector:
    return db.session.scalar(sa.select(Sector).filter_by(slug=slug))


def add(slug: str = "alpha", **fields) -> Organisation:
    org = Organisation(
        slug=slug,
        name=fields.pop("name", slug.title()),
        kind=fields.pop("kind", "startup"),
        **fields,
    )
    db.session.add(org)
    db.session.commit()
    return org


def test_new_organisation_gets_its_defaults(app):
    with app.app_context():
        org = add()
        assert (org.residency, org.status, org.version) == ("resident", "draft", 1)
        assert org.tags == [] and org.capabilities == [] and org.programmes == []
        assert (org.summary, org.website, org.currency) == ("", "", "")
        assert org.stage is None and org.founded_year is None
        assert org.created_at is not None and org.published_at is None
        assert not org.is_public


def test_list_defaults_are_not_shared_between_organisations(app):
    with app.app_context():
        first, second = add("first"), add("second")
        first.tags.append("x")
        assert second.tags == []


def test_sectors_relate_both_ways_in_taxonomy_order(app):
    with app.app_context():
        org = add(sectors=[sector("education"), sector("fashiontech")])
        db.session.expire_all()
        org = db.session.get(Organisation, org.id)
        assert [s.slug for s in org.sectors] == ["fashiontech", "education"]
        assert sector("education").organisations == [org]


def test_deleting_an_organisation_removes_its_sector_links_only(app):
    with app.app_context():
        org = add(sectors=[sector("textile")])
        db.session.delete(org)
        db.session.commit()
        assert sector("textile") is not None
        assert db.session.scalar(sa.text("SELECT count(*) FROM organisation_sectors")) == 0


def test_slug_is_unique(app):
    with app.app_context():
        add("alpha")
        db.session.add(Organisation(slug="alpha", name="Twin", kind="company"))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_version_increments_on_each_update(app):
    with app.app_context():
        org = add()
        org.city = "Ivanovo"
        db.session.commit()
        assert org.version == 2
        org.sectors = [sector("design")]
        org.summary = "Design studio"
        db.session.commit()
        assert org.version == 3


def test_stale_update_raises_stale_data_error_and_keeps_the_newer_save(app):
    with app.app_context():
        org = add()
        # Another worker saves the same organisation first.
        with Session(db.engine) as other:
            theirs = other.get(Organisation, org.id)
            theirs.name = "Their name"
            other.commit()
        org.name = "My name"
        with pytest.raises(StaleDataError):
            db.session.commit()
        db.session.rollback()
        db.session.expire_all()
        saved = db.session.get(Organisation, org.id)
        assert (saved.name, saved.version) == ("Their name", 2)


def test_location_joins_building_floor_and_unit(app):
    with app.app_context():
        assert add(building="B2", floor="3", unit="301").location == "B2, floor 3, unit 301"
        assert add("beta", unit="7").location == "unit 7"

"""A rebuilt Whoosh index answers exactly as one written document by document.

The rebuild writes postings through its own term pool and the search ranks with arrays rather
than Whoosh's matchers; both must agree with Whoosh's ordinary writer on every result.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from bench import synthetic
from cluster.extensions import db
from cluster.models import Organisation
from cluster.search import SearchQuery
from cluster.search.whoosh import WhooshBackend
from cluster.services import importer
from tests.helpers import build_app

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo.csv"

QUERIES = [
    SearchQuery(),
    SearchQuery(text="textile"),
    SearchQuery(text="fashion design"),
    SearchQuery(text="digital prin"),
    SearchQuery(text="fashon"),
    SearchQuery(text="текстильное производство"),
    SearchQuery(text="Kalibr"),
    SearchQuery(text="sewing", filters={"kind": ["manufacturer"]}),
    SearchQuery(text="", filters={"sector": ["textile", "design"], "residency": ["resident"]}),
    SearchQuery(text="studio", sort="name"),
    SearchQuery(text="startup", sort="newest", page=2, per_page=5),
]


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    """The demo directory plus 400 synthetic organisations, indexed as they were committed."""
    tmp_path = tmp_path_factory.mktemp("rebuild")
    app = build_app(tmp_path, SEARCH_BACKEND="whoosh")
    with app.app_context():
        assert importer.import_file(DEMO).ok
        synthetic.insert(db.session, synthetic.generate(400, seed=3))
        db.session.commit()
        orgs = db.session.scalars(
            sa.select(Organisation).options(orm.selectinload(Organisation.sectors))
        ).all()
        # A fresh index written the ordinary way, in one batch, so that it holds no deleted
        # documents (they would count in Whoosh's statistics and shift every score).
        incremental = WhooshBackend(str(tmp_path / "incremental"))
        incremental.index(orgs)
        yield app, orgs, incremental
        db.engine.dispose()


@pytest.fixture(scope="module")
def rebuilt_index(directory, tmp_path_factory) -> str:
    """The directory's index rebuilt once: the same organisations give the same index every
    time, so each query's test opens it afresh rather than rebuilding it again."""
    app, orgs, _ = directory
    folder = str(tmp_path_factory.mktemp("rebuilt"))
    with app.app_context():
        assert WhooshBackend(folder).rebuild(orgs) == len(orgs)
    return folder


def answer(engine, query: SearchQuery):
    result = engine.search(query)
    return (
        result.total,
        [(hit.slug, round(hit.score, 9)) for hit in result.hits],
        result.facets,
        result.suggestion,
    )


@pytest.mark.parametrize("query", QUERIES, ids=lambda query: query.text or "(all)")
def test_rebuilt_index_gives_the_same_results_as_documents_added_one_by_one(
    directory, rebuilt_index, query
):
    app, _, incremental = directory
    with app.app_context():
        # A new engine on the rebuilt files: no array or cache of an earlier query's test.
        rebuilt = WhooshBackend(rebuilt_index)
        assert answer(rebuilt, query) == answer(incremental, query)
        assert rebuilt.indexed_versions() == incremental.indexed_versions()

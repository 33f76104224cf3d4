"""Judged matching cases over the demo directory, on both engines: providers before seekers.

Written before the ranking was tuned. Each case names organisations that offer what the query
asks (one of them must come first, and each must be found) and organisations that only need
it (each one found must rank below every provider named).
"""

from __future__ import annotations

import pytest

from cluster.search import SearchQuery, backend
from tests.helpers import demo_directory_app

BLUEWHARF, STEZHOK, KALIBR = "Bluewharf Sewing", "Стежок", "Калибр"
NORTHBOUND = "Northbound Outerwear"
# A factory making patterns, an online pattern builder, a school teaching pattern cutting.
PATTERN_CUTTERS = {KALIBR, "Выкройка Онлайн", "Bobbin Academy"}

# query: (providers, seekers)
CASES = {
    # The queries of the "done when".
    "jacket factory": ({BLUEWHARF, STEZHOK}, {NORTHBOUND}),
    "sew 300 jackets": ({BLUEWHARF, STEZHOK}, {NORTHBOUND}),
    "швейная фабрика": ({STEZHOK, KALIBR}, {NORTHBOUND, "Buttonbox"}),
    "закройщик": (PATTERN_CUTTERS, {"Loomwise", "Patternhub"}),
    "DTF printing": ({"Sublime Square"}, {"Узор"}),
    # English
    "factory that can sew 300 jackets": ({BLUEWHARF, STEZHOK}, {NORTHBOUND}),
    "pattern maker": (PATTERN_CUTTERS, {"Loomwise", "Patternhub"}),
    "seam taping": ({BLUEWHARF, STEZHOK}, {NORTHBOUND}),
    "laser cutting": ({"Lasergate Cutting"}, {"Vectorwool Interiors"}),
    "3D printing": ({"Forma Additive", "Solemade", "Fabric Lab Makerspace"}, {"Modelbay 3D"}),
    "knitwear production partner": ({"Ninefold Knits", KALIBR}, {"Spoolback"}),
    "textile testing laboratory": (
        {"Northgate Institute of Textile Engineering"},
        {"Thread & Signal"},
    ),
    "pattern cutter training": ({"Bobbin Academy", "Колледж «Уток»"}, set()),
    # Russian
    "пошив": ({STEZHOK, KALIBR, BLUEWHARF}, {"Buttonbox", NORTHBOUND}),
    "мелкая серия": ({STEZHOK, KALIBR, BLUEWHARF}, {"Buttonbox"}),
    "сублимация": ({"Sublime Square"}, set()),
    "лазерная резка": ({"Lasergate Cutting"}, {"Vectorwool Interiors"}),
    "трикотаж": ({KALIBR, "Ninefold Knits"}, {"Spoolback"}),
    "печать на ткани малой партией": (
        {"Ситцевый двор", "Printstream Textiles"},
        {"Dyebyte", "Узор", "Пиксельный лён"},
    ),
    "курсы конструирования одежды": (
        {"Колледж «Уток»", "Bobbin Academy", "Школа цифровой моды «Лекало»"},
        set(),
    ),
    "вышивка": ({"Hemline Embroidery Works", "Thread & Signal"}, set()),
    # Mixed languages and jargon
    "пошив jackets": ({BLUEWHARF, STEZHOK}, {NORTHBOUND}),
    "small-batch пошив": ({STEZHOK, KALIBR, BLUEWHARF}, {"Buttonbox"}),
    "CLO3D": ({"Bobbin Academy", "Школа цифровой моды «Лекало»"}, {"Fitgrid"}),
    "DTF-печать": ({"Sublime Square"}, {"Узор"}),
}  # fmt: skip


@pytest.fixture(scope="module", params=["whoosh", "postgres"])
def demo_app(request, tmp_path_factory):
    """The demo directory imported once per engine."""
    with demo_directory_app(request.param, tmp_path_factory.mktemp(request.param)) as app:
        yield app


def ranked(app, text: str, **options) -> list[str]:
    with app.app_context():
        query = SearchQuery(text=text, per_page=50, **options)
        return [hit.name for hit in backend().search(query).hits]


@pytest.mark.parametrize("text", CASES)
def test_providers_come_first_and_seekers_after_them(demo_app, text):
    providers, seekers = CASES[text]
    names = ranked(demo_app, text)
    assert names and names[0] in providers, names[:5]
    assert providers <= set(names), names
    last_provider = max(names.index(name) for name in providers)
    for seeker in seekers & set(names):
        assert names.index(seeker) > last_provider, names[:8]


def test_the_offers_facet_counts_providers_and_the_needs_facet_seekers(demo_app):
    with demo_app.app_context():
        result = backend().search(SearchQuery(filters={"offers": ["dtf-printing"]}))
        assert [hit.name for hit in result.hits] == ["Sublime Square"]
        needing = backend().search(SearchQuery(filters={"needs": ["dtf-printing"]}))
        assert [hit.name for hit in needing.hits] == ["Узор"]
        assert result.facets["offers"]["dtf-printing"] == 1
        assert needing.facets["needs"]["dtf-printing"] == 1

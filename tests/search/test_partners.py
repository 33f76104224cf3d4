"""Find a partner and the matches on profiles, over the demo directory on both engines."""

from __future__ import annotations

import pytest

from cluster.services import partners
from tests.search.test_matching import demo_app  # noqa: F401 - the module's fixture


def shortlist(app, **need):
    with app.app_context(), app.test_request_context():
        found = partners.find(partners.Need(**need))
        return found, [(match.org.name, match.reasons) for match in found.matches]


def test_a_need_in_words_lists_the_providers_with_their_reasons(demo_app):  # noqa: F811
    found, matches = shortlist(demo_app, text="sew 300 jackets")
    names = [name for name, _ in matches]
    assert names[0] in {"Bluewharf Sewing", "Стежок"}
    assert "Northbound Outerwear" not in names  # it needs jackets sewn, it does not sew them
    reasons = dict(matches)["Bluewharf Sewing"]
    assert "Offers Outerwear sewing: matches “jackets”" in reasons
    assert "Minimum order 50 pieces: takes your 300" in reasons
    assert "Resident of the technopark" in reasons
    assert found.quantity.amount == 300


def test_a_russian_need_finds_english_and_russian_providers(demo_app):  # noqa: F811
    _, matches = shortlist(demo_app, text="печать на ткани малой партией")
    names = [name for name, _ in matches]
    assert {"Ситцевый двор", "Printstream Textiles"} <= set(names[:3])
    assert not {"Dyebyte", "Узор"} & set(names)


def test_the_minimum_order_filter_leaves_out_those_asking_for_more(demo_app):  # noqa: F811
    _, everyone = shortlist(demo_app, text="пошив")
    _, small = shortlist(demo_app, text="пошив", max_min_order=20)
    assert {"Bluewharf Sewing", "Стежок", "Калибр"} <= {name for name, _ in everyone}
    assert not {"Bluewharf Sewing", "Стежок", "Калибр"} & {name for name, _ in small}
    assert "Sublime Square" in {name for name, _ in small}  # 10 pieces


def test_picked_capabilities_kind_and_residency_narrow_the_list(demo_app):  # noqa: F811
    _, dtf = shortlist(demo_app, capabilities=["dtf-printing"])
    assert [name for name, _ in dtf] == ["Sublime Square"]
    _, knit = shortlist(demo_app, capabilities=["knitwear-production"], residents_only=True)
    assert "Ninefold Knits" not in {name for name, _ in knit}  # a partner, not a resident
    _, schools = shortlist(demo_app, text="закройщик", kind="education")
    assert {name for name, _ in schools} == {"Bobbin Academy"}


def test_words_that_name_nothing_give_no_shortlist(demo_app):  # noqa: F811
    found, matches = shortlist(demo_app, text="zzzqqq")
    assert found.asked == [] and matches == []


def test_a_seeker_s_profile_lists_providers_and_a_provider_s_its_seekers(demo_app):  # noqa: F811
    from cluster.services import directory

    with demo_app.app_context(), demo_app.test_request_context():
        northbound = partners.profile_matches(directory.find_by_slug("northbound-outerwear"))
        offering = {m.org.name for m in northbound.providers["outerwear-sewing"]}
        assert "Bluewharf Sewing" in offering and len(offering) <= 3
        bluewharf = partners.profile_matches(directory.find_by_slug("bluewharf-sewing"))
        assert "Northbound Outerwear" in {o.name for o in bluewharf.seekers["seam-sealing"]}


@pytest.mark.parametrize(
    ("args", "status"),
    [
        ("", 200),
        ("?need=sew+300+jackets", 200),
        ("?need=%D0%BF%D0%BE%D1%88%D0%B8%D0%B2&kind=manufacturer&residents=1&city=Ivanovo", 200),
        ("?capability=dtf-printing&capability=nonsense", 200),
        ("?need=sew&quantity=lots", 400),
        ("?need=sew&max_min_order=-5", 400),
        ("?need=" + "x" * 10_000 + "&city=" + "y" * 5000, 200),
    ],
)
def test_the_partner_page_answers_any_input_without_a_server_error(demo_app, args, status):  # noqa: F811
    response = demo_app.test_client().get("/en/partners" + args)
    assert response.status_code == status
    if status == 400:
        assert "were not understood" in response.get_data(as_text=True)


def test_profiles_show_their_matches_and_link_to_the_partner_page(demo_app):  # noqa: F811
    client = demo_app.test_client()
    page = client.get("/en/o/northbound-outerwear").get_data(as_text=True)
    assert "Who offers what Northbound Outerwear needs" in page
    assert 'href="/en/o/bluewharf-sewing"' in page
    assert "/en/partners?capability=" in page
    provider = client.get("/en/o/bluewharf-sewing").get_data(as_text=True)
    assert "Who needs what Bluewharf Sewing offers" in provider
    assert "/en/partners" in client.get("/en/partners").get_data(as_text=True)


def test_the_api_filters_and_answers_offers_and_needs(demo_app):  # noqa: F811
    client = demo_app.test_client()
    listed = client.get("/api/v1/organisations?offers=dtf-printing").get_json()
    assert [item["slug"] for item in listed["items"]] == ["sublime-square"]
    counts = {value["value"]: value["count"] for value in listed["facets"]["offers"]}
    assert counts["dtf-printing"] == 1
    needing = client.get("/api/v1/organisations?needs=dtf-printing").get_json()
    assert [item["name"] for item in needing["items"]] == ["Узор"]
    one = client.get("/api/v1/organisations/sublime-square?lang=ru").get_json()
    assert {"value": "dtf-printing", "label": "DTF-печать"} in one["offers"]
    assert client.get("/api/v1/organisations?offers=teleportation").status_code == 400

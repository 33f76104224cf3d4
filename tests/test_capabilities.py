"""The capability vocabulary file, and offers and needs read from a profile's own words."""

from __future__ import annotations

import tomllib

import pytest

from cluster.models import Organisation
from cluster.services import capabilities, quantities, records
from cluster.services.capabilities import VOCABULARY_FILE, phrase_terms

JARGON = ("закройщик", "конструктор одежды", "pattern maker", "DTF", "сублимация", "пошив",
          "мелкая серия", "CLO3D")  # fmt: skip


@pytest.fixture(scope="module")
def raw():
    with VOCABULARY_FILE.open("rb") as file:
        return tomllib.load(file)


def test_the_vocabulary_has_sixty_capabilities_in_known_families(raw):
    families = {family["slug"] for family in raw["family"]}
    assert len(raw["capability"]) >= 60
    assert {capability["family"] for capability in raw["capability"]} <= families
    assert len(families) == len(raw["family"])


def test_every_slug_is_unique_stable_and_every_capability_has_both_labels(raw):
    slugs = [capability["slug"] for capability in raw["capability"]]
    assert len(slugs) == len(set(slugs))
    for capability in raw["capability"]:
        assert capability["slug"].replace("-", "").isascii()
        assert capability["slug"] == capability["slug"].lower()
        assert capability["en"].strip() and capability["ru"].strip(), capability["slug"]
        assert any(char.isascii() and char.isalpha() for char in capability["en"])
        assert any("а" <= char <= "я" for char in capability["ru"].lower()), capability["slug"]
        assert capability.get("synonyms_en") and capability.get("synonyms_ru"), capability["slug"]


def test_no_phrase_names_two_capabilities(raw):
    owner: dict[tuple, str] = {}
    for capability in raw["capability"]:
        phrases = (
            capability["en"],
            capability["ru"],
            *capability["synonyms_en"],
            *capability["synonyms_ru"],
        )
        for text in phrases:
            phrase = phrase_terms(text)
            assert phrase, (capability["slug"], text)
            assert owner.setdefault(phrase, capability["slug"]) == capability["slug"], text


@pytest.mark.parametrize("jargon", JARGON)
def test_the_cluster_s_jargon_names_a_capability(jargon):
    assert capabilities.found_in([jargon])


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("пошива верхней одежды", "outerwear-sewing"),
        ("Пошив малых партий", "small-batch-sewing"),
        ("ищем закройщиков", "pattern-cutting"),
        ("pattern makers for testing", "pattern-cutting"),
        ("DTF-печать на футболках", "dtf-printing"),
        ("сублимационная печать", "sublimation-printing"),
        ("Цифровой печатью на ткани", "digital-textile-printing"),
        ("garments simulated in CLO3D", "garment-simulation"),
        ("sews jackets", "outerwear-sewing"),
        ("лазерной резкой", "laser-cutting"),
    ],
)
def test_inflected_text_in_either_language_finds_its_capability(text, slug):
    assert slug in capabilities.found_in([text])


def test_a_phrase_never_spans_two_items():
    assert "digital-textile-printing" not in capabilities.found_in(["digital", "printing"])


def test_a_text_asked_again_names_what_it_named_first_even_once_the_memory_was_emptied(
    monkeypatch,
):
    monkeypatch.setattr(capabilities, "TEXTS_REMEMBERED", 3)
    vocab = capabilities.Vocabulary(tomllib.loads(VOCABULARY_FILE.read_text(encoding="utf-8")))
    texts = ["Цифровой печатью на ткани", "sews jackets", "лазерной резкой", "закройщик", "tea"]
    first = [vocab.text_slugs(text) for text in texts]

    again = [vocab.text_slugs(text) for text in reversed(texts)][::-1]

    assert first == again
    assert first[0] == tuple(m.slug for m in vocab.matches(capabilities.words_of(texts[0])))
    assert "digital-textile-printing" in first[0] and first[-1] == ()
    assert len(vocab._named_in) <= 3


@pytest.mark.parametrize(
    ("value", "slug"),
    [
        ("dtf-printing", "dtf-printing"),
        ("DTF printing", "dtf-printing"),
        ("DTF-печать", "dtf-printing"),
        ("Конструирование одежды", "pattern-cutting"),
        ("закройщик", "pattern-cutting"),
        ("Small-batch sewing", "small-batch-sewing"),
    ],
)
def test_a_cell_may_name_a_capability_by_slug_label_or_synonym(value, slug):
    assert capabilities.parse_list(value) == [slug]


def test_an_unknown_capability_in_a_cell_is_refused(app):
    from cluster.services.parsers import Invalid

    with app.test_request_context(), pytest.raises(Invalid, match="unknown capability"):
        capabilities.parse_list("dtf-printing; interplanetary logistics")


def test_labels_follow_the_language():
    assert capabilities.label("pattern-cutting", "ru") == "Конструирование одежды"
    assert capabilities.label("pattern-cutting", "en") == "Pattern cutting"


def _apply(org: Organisation, **values) -> Organisation:
    records.apply_record(org, values)
    return org


def test_offers_come_from_capabilities_equipment_and_programmes_needs_from_needs():
    org = _apply(
        Organisation(),
        capabilities=["пошив верхней одежды"],
        equipment=["машина для проклейки швов"],
        programmes=[{"name": "Pattern cutting", "level": "", "format": "", "duration": ""}],
        needs=["DTF printing for a capsule", "швеи"],
        description="We need a laser cutter one day.",
    )
    assert {"outerwear-sewing", "seam-sealing", "pattern-cutting"} <= set(org.offers)
    assert "laser-cutting" not in org.offers
    assert org.needs_capabilities == ["machinists", "dtf-printing"]


def test_a_capability_added_or_removed_by_hand_is_kept_on_later_saves():
    org = _apply(Organisation(), capabilities=["machine embroidery", "laser cutting"])
    assert set(org.offers) == {"machine-embroidery", "laser-cutting"}
    before = list(org.offers)
    # Staff untick laser cutting and tick DTF printing on the form.
    _apply(org, offers=["machine-embroidery", "dtf-printing"])
    assert set(org.offers) == {"machine-embroidery", "dtf-printing"}
    # A later save that changes only the text keeps both choices.
    _apply(org, capabilities=["machine embroidery", "laser cutting", "screen printing"])
    assert set(org.offers) == {"machine-embroidery", "dtf-printing", "screen-printing"}
    _apply(org, offers=list(org.offers))
    assert set(org.offers) == {"machine-embroidery", "dtf-printing", "screen-printing"}
    assert before != org.offers


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("50 pcs", 50, "pieces"),
        ("30 шт.", 30, "pieces"),
        ("от 100 изделий", 100, "pieces"),
        ("1 м", 1, "metres"),
        ("200 kg", 200, "kilograms"),
        ("5 000 pieces a month", 5000, "pieces"),
        ("1,000 prints per week", 1000, "prints"),
        ("тираж от 500 экз.", 500, "prints"),
        ("от 200 отт.", 200, "prints"),
        ("250 copies", 250, "prints"),
    ],
)
def test_a_quantity_is_read_with_its_unit(text, amount, unit):
    assert quantities.parse(text) == quantities.Quantity(amount, unit)


@pytest.mark.parametrize("text", ["", "on request", "по договорённости", "12 месяцев"])
def test_text_without_a_quantity_stays_text(text):
    assert quantities.parse(text) is None


def test_a_save_reads_the_minimum_order_and_capacity():
    org = _apply(Organisation(), min_order="from 50 pcs", capacity="по запросу")
    assert (org.min_order_quantity, org.min_order_unit) == (50, "pieces")
    assert (org.capacity_quantity, org.capacity_unit) == (None, "")


def edit_form(app, slug: str) -> dict:
    """The staff edit form's values as a browser would send them back."""
    from cluster.forms import form_data
    from tests.factories import find_org

    with app.app_context(), app.test_request_context():
        data = form_data(find_org(slug))
    return {key: value for key, value in data.items() if value not in (None, [])}


def test_staff_see_the_capabilities_found_and_their_unticking_is_kept(app, client, staff):
    import re

    from tests.factories import find_org

    staff.login(role="editor")
    form = {
        "name": "Thread & Needle",
        "kind": "manufacturer",
        "residency": "resident",
        "status": "draft",
        "capabilities": "small-batch sewing\nDTF printing",
        "needs": "закройщик в команду",
        "min_order": "50 pcs",
    }
    assert staff.post("/en/staff/organisations/new", form).status_code == 302
    org = find_org("thread-needle", app=app)
    assert set(org.offers) == {"garment-sewing", "small-batch-sewing", "dtf-printing"}
    assert org.needs_capabilities == ["pattern-cutting"]
    page = client.get("/en/staff/organisations/thread-needle/edit").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="offers"[^>]*value="dtf-printing"', page) or (
        re.search(r'name="offers"[^>]*value="dtf-printing"[^>]*checked', page)
    )
    assert "DTF printing" in page and "Found in the capabilities" in page

    data = edit_form(app, "thread-needle")
    data["offers"] = ["garment-sewing", "small-batch-sewing", "laser-cutting"]
    assert staff.post("/en/staff/organisations/thread-needle/edit", data).status_code == 302
    org = find_org("thread-needle", app=app)
    assert set(org.offers) == {"garment-sewing", "small-batch-sewing", "laser-cutting"}
    # A later edit of the text keeps DTF printing out and laser cutting in.
    data = edit_form(app, "thread-needle")
    data["capabilities"] += "\nembroidery"
    assert staff.post("/en/staff/organisations/thread-needle/edit", data).status_code == 302
    org = find_org("thread-needle", app=app)
    assert "dtf-printing" not in org.offers
    assert {"laser-cutting", "machine-embroidery"} <= set(org.offers)
    assert (org.min_order_quantity, org.min_order_unit) == (50, "pieces")


def test_staff_see_the_quantities_that_could_not_be_read(app, client, staff):
    from cluster.services import organisations

    with app.app_context():
        for name, min_order in (("Readable Works", "50 pcs"), ("Vague Works", "по договорённости")):
            values = {"name": name, "slug": name.lower().replace(" ", "-"), "kind": "manufacturer"}
            organisations.create({**values, "min_order": min_order, "status": "published"}, None)
        from cluster.extensions import db

        db.session.commit()
    staff.login(role="editor")
    page = client.get("/en/staff/quantities").get_data(as_text=True)
    assert "Vague Works" in page and "по договорённости" in page
    assert "Readable Works" not in page
    assert "/en/staff/quantities" in client.get("/en/staff/").get_data(as_text=True)

"""Judged cases for "Similar organisations" on both engines: rare shared words and sectors make
profiles alike, common words hardly do; itself, drafts and the unrelated never show."""

from __future__ import annotations

from cluster.extensions import db
from cluster.models import Organisation
from cluster.search import backend
from tests.factories import make_org


def similar_names(slug: str) -> list[str]:
    org = db.session.scalar(db.select(Organisation).where(Organisation.slug == slug))
    return [hit.name for hit in backend().similar(org)]


def add_crowd(count: int = 8) -> None:
    """Profiles that share only the common words of the directory ("design", "studio")."""
    for number in range(count):
        make_org(f"Crowd {number}", summary="Design studio for brands", sectors=["design"])


def test_a_rare_shared_word_outweighs_common_ones(search_app):
    add_crowd()
    make_org("Needle Point", summary="Machine embroidery for design studios", sectors=["design"])
    make_org("Stitch Works", summary="Machine embroidery of logos on caps", sectors=["textile"])
    found = similar_names("needle-point")
    assert found[0] == "Stitch Works"
    assert "Needle Point" not in found


def test_shared_words_and_sectors_rank_above_a_sector_alone(search_app):
    make_org("Loom One", summary="Jacquard weaving of wool", sectors=["textile"])
    make_org("Loom Two", summary="Jacquard weaving of silk", sectors=["textile"])
    make_org("Thread Co", summary="Dyed yarn on cones", sectors=["textile"])
    make_org("Pixels", summary="Cartoons for children", sectors=["animation"])
    assert similar_names("loom-one") == ["Loom Two", "Thread Co"]


def test_the_same_kind_breaks_a_tie_between_equally_alike_profiles(search_app):
    make_org("Cut One", kind="manufacturer", summary="Laser cutting of felt")
    make_org("Cut Two", kind="startup", summary="Laser cutting of felt")
    make_org("Cut Three", kind="manufacturer", summary="Laser cutting of felt")
    assert similar_names("cut-one") == ["Cut Three", "Cut Two"]


def test_similar_leaves_out_drafts_and_follows_edits(search_app):
    make_org(
        "Print Hall", summary="Sublimation printing on polyester", sectors=["digital-printing"]
    )
    make_org("Dye Lab", summary="Sublimation printing on polyester", status="draft")
    later = make_org("Banner Shop", summary="Offset brochures", sectors=["design"])
    assert similar_names("print-hall") == []
    later.summary = "Sublimation printing of banners"
    db.session.commit()
    assert similar_names("print-hall") == ["Banner Shop"]

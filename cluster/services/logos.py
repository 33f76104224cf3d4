"""Organisation logos: decode an upload with Pillow, re-encode it small and clean, store it;
say who may see a stored one; delete the files no organisation shows any more.

A logo replaced or removed, or whose organisation is deleted, is noted at flush time and its
file deleted after the commit (a rollback forgets the note), whichever service or command made
the change.
"""

from __future__ import annotations

import io
import re
import secrets
import warnings
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event, orm

from ..extensions import db
from ..models import Organisation
from . import audit

# Formats we accept, as Pillow names them after decoding (never as the file name claims).
ACCEPTED_FORMATS = {"PNG", "JPEG", "WEBP"}
MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 25_000_000
MAX_SIDE = 512
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(png|webp)$")
# How long browsers and proxies may keep a published listing's logo: once the listing is
# unpublished or its logo replaced, the old one leaves their caches within this time.
PUBLIC_MAX_AGE = 600
# session.info key: logo file names the session's transaction stopped using.
DROPPED = "logos_dropped"

# Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; we refuse at our limit
# whether Pillow warns or raises (see _open), so its limit is ours.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class LogoError(ValueError):
    """The upload is not a logo we can store; the message says why, in words for the form."""


def store_logo(file_storage, upload_dir: str | Path) -> str:
    """Decode the upload, re-encode it at most 512 px wide and high; return its new file name."""
    data = file_storage.read(MAX_BYTES + 1)
    if not data:
        raise LogoError(_("The file is empty. Choose a PNG, JPEG or WebP image."))
    if len(data) > MAX_BYTES:
        raise LogoError(
            _(
                "The logo is larger than %(mb)d MB. Upload a smaller image.",
                mb=MAX_BYTES // 2**20,
            )
        )

    image = decode(data)
    keep_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = ImageOps.exif_transpose(image)
    image = image.convert("RGBA" if keep_alpha else "RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A fresh info dict drops EXIF, ICC profiles and text chunks from what we write.
    image.info = {}

    # Lossless PNG keeps line-art logos crisp; photos (JPEG, WebP) become WebP.
    out_format, suffix = ("PNG", "png") if decoded_format(data) == "PNG" else ("WEBP", "webp")
    directory = Path(upload_dir)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{suffix}"
    path = directory / name
    try:
        with path.open("xb") as out:
            if out_format == "PNG":
                image.save(out, "PNG", optimize=True)
            else:
                image.save(out, "WEBP", quality=85, method=4)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return name


def decode(data: bytes) -> Image.Image:
    """Return the fully decoded image, or raise LogoError saying what is wrong with it."""
    fmt = decoded_format(data)
    try:
        with _open(data) as probe:
            probe.verify()
        image = _open(data)
        image.load()
    except LogoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise LogoError(too_large_message()) from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        # Pillow reports broken data as any of these, depending on the format and the damage.
        raise LogoError(
            _(
                "The %(format)s image is damaged or incomplete and cannot be read. "
                "Save it again and upload the new file.",
                format=fmt,
            )
        ) from error
    return image


def decoded_format(data: bytes) -> str:
    """Name the image format by its content; raise LogoError for anything but PNG, JPEG, WebP."""
    try:
        with _open(data) as probe:
            fmt = probe.format
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise LogoError(too_large_message()) from None
    except UnidentifiedImageError:
        raise LogoError(
            _(
                "This file is not an image we can read. Upload a PNG, JPEG or WebP logo "
                "(SVG and other formats are not accepted)."
            )
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise LogoError(
            _(
                "The image is damaged or incomplete and cannot be read. "
                "Save it again and upload the new file."
            )
        ) from None
    if fmt not in ACCEPTED_FORMATS:
        raise LogoError(
            _(
                "%(format)s images are not accepted. Upload a PNG, JPEG or WebP logo.",
                format=fmt,
            )
        )
    return fmt


def _open(data: bytes) -> Image.Image:
    """Open the image lazily, refusing one whose declared size exceeds MAX_PIXELS."""
    # Pillow only warns between its limit and twice it; make that warning an error here.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data), formats=sorted(ACCEPTED_FORMATS))
    width, height = image.size
    if width * height > MAX_PIXELS:
        image.close()
        raise LogoError(too_large_message())
    return image


def too_large_message() -> str:
    return ngettext(
        "The image is too large: logos may have at most %(num)d megapixel. Upload a smaller image.",
        "The image is too large: logos may have at most %(num)d megapixels. "
        "Upload a smaller image.",
        MAX_PIXELS // 1_000_000,
    )


def delete_logo(name: str, upload_dir: str | Path) -> None:
    """Remove a stored logo file; names that we did not generate are ignored."""
    if name and STORED_NAME.match(name):
        (Path(upload_dir) / name).unlink(missing_ok=True)


def replace_logo(org, file_storage, upload_dir: str | Path, user) -> str:
    """Store an uploaded logo as the organisation's (the caller commits); raise LogoError if unfit.

    The previous file is deleted once the change is committed.
    """
    name = store_logo(file_storage, upload_dir)
    previous = org.logo
    org.logo = name
    audit.log("logo", org, detail=f"{previous or _('(none)')} → {name}", user=user)
    return name


def remove_logo(org, user) -> None:
    """Stop showing the organisation's logo (the caller commits)."""
    if org.logo:
        audit.log("logo", org, detail=f"{org.logo} → {_('(none)')}", user=user)
        org.logo = ""


def shown_to(name: str) -> str | None:
    """Who may see the stored logo of this name: "public" while an organisation showing it is
    published, "staff" while only unpublished ones show it, None when no organisation does."""
    statuses = set(
        db.session.scalars(sa.select(Organisation.status).where(Organisation.logo == name))
    )
    if "published" in statuses:
        return "public"
    return "staff" if statuses else None


@event.listens_for(orm.Session, "after_flush")
def note_dropped_logos(session, flush_context) -> None:
    """Note the logos of deleted organisations and the logos replaced or removed."""
    dropped = session.info.setdefault(DROPPED, set())
    for obj in session.deleted:
        if isinstance(obj, Organisation) and obj.logo:
            dropped.add(obj.logo)
    for obj in session.dirty:
        if isinstance(obj, Organisation):
            history = sa.inspect(obj).attrs.logo.history
            dropped.update(name for name in history.deleted if name)


@event.listens_for(orm.Session, "after_commit")
def delete_dropped_logos(session) -> None:
    """Delete the files of the noted logos that no organisation shows; never raise."""
    dropped = session.info.pop(DROPPED, set())
    if not dropped:
        return
    try:
        # The committing session cannot run SQL in its after_commit hook.
        with orm.Session(db.engine) as check:
            kept = set(
                check.scalars(sa.select(Organisation.logo).where(Organisation.logo.in_(dropped)))
            )
        for name in dropped - kept:
            delete_logo(name, current_app.config["UPLOAD_DIR"])
    except Exception:
        current_app.logger.exception("Logo files %s could not be deleted", sorted(dropped))


@event.listens_for(orm.Session, "after_soft_rollback")
def forget_dropped_logos(session, previous_transaction) -> None:
    """A rolled-back change keeps its logos (savepoints keep the outer transaction's note)."""
    if previous_transaction.parent is None:
        session.info.pop(DROPPED, None)

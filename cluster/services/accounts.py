"""Staff accounts: creating users and checking their passwords (Argon2id)."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..extensions import db
from ..models import ROLES, User
from . import passwords

# How pages name each role.
ROLE_LABELS = {"admin": _l("Administrator"), "editor": _l("Editor")}
MIN_PASSWORD_LENGTH = 10
# Hashing a megabyte-long "password" would only cost us time; no real one is that long.
MAX_PASSWORD_LENGTH = 1024


@cache
def _hasher(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile))


def hasher() -> PasswordHasher:
    """The Argon2id hasher of the app's PASSWORD_HASH_PROFILE (see config.py)."""
    return _hasher(current_app.config["PASSWORD_HASH_PROFILE"])


@cache
def _dummy_hash(profile: str) -> str:
    return _hasher(profile).hash("not a password anyone has")


def dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so both failures take the same time."""
    return _dummy_hash(current_app.config["PASSWORD_HASH_PROFILE"])


class AccountError(ValueError):
    """A user could not be created or changed; the message says why."""


def normalise_email(email: str) -> str:
    """Return the e-mail address in the form it is stored, or raise AccountError."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise AccountError(_("Not a valid e-mail address: %(reason)s", reason=error)) from None
    return checked.normalized.lower()


def check_password(password: str) -> None:
    """Raise AccountError unless the password is long enough, not absurdly long, and not one
    that is easy to guess (services/passwords.py)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            ngettext(
                "The password must have at least %(num)d character.",
                "The password must have at least %(num)d characters.",
                MIN_PASSWORD_LENGTH,
            )
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(
            ngettext(
                "The password must have at most %(num)d character.",
                "The password must have at most %(num)d characters.",
                MAX_PASSWORD_LENGTH,
            )
        )
    weakness = passwords.weakness(password)
    if weakness:
        raise AccountError(weakness)


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(_("The role must be one of: %(roles)s.", roles=", ".join(ROLES)))
    return role


def find_user(email: str) -> User | None:
    if "\x00" in email:
        return None  # no stored address has one, and PostgreSQL refuses NUL in text
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def create_user(email: str, password: str, role: str = "editor", name: str = "") -> User:
    """Add a staff user with a hashed password; the caller commits."""
    email = normalise_email(email)
    check_role(role)
    check_password(password)
    if find_user(email):
        raise AccountError(_("A user with the e-mail %(email)s already exists.", email=email))
    user = User(
        email=email,
        name=name.replace("\x00", "").strip(),
        role=role,
        password_hash=hasher().hash(password),
    )
    db.session.add(user)
    return user


def set_password(user: User, password: str) -> None:
    """Replace a user's password and end their sessions; the caller commits."""
    check_password(password)
    user.password_hash = hasher().hash(password)
    user.end_sessions()


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this e-mail and password, or None, in about the same time."""
    user = find_user(email) if len(email) <= 254 else None
    if len(password) > MAX_PASSWORD_LENGTH:
        return None
    if user is None or not user.active:
        _verify(dummy_hash(), password)
        return None
    if not _verify(user.password_hash, password):
        return None
    if hasher().check_needs_rehash(user.password_hash):
        # The hashing parameters were raised since this hash was made: store a stronger one.
        user.password_hash = hasher().hash(password)
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def all_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.email)))


def role_label(role: str) -> str:
    """A role as pages name it."""
    return str(ROLE_LABELS.get(role, role))


def change_user(user: User, role: str, active: bool) -> list[str]:
    """Set a user's role and whether the account may log in; return each change, in a sentence.

    Any change ends the user's sessions: they log in again under the new role.
    """
    changes = []
    if role != user.role:
        check_role(role)
        changes.append(
            _("Role: %(old)s → %(new)s.", old=role_label(user.role), new=role_label(role))
        )
        user.role = role
    if active != user.active:
        changes.append(_("Account enabled.") if active else _("Account disabled."))
        user.active = active
    if changes:
        user.end_sessions()
    return changes

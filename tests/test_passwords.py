"""Staff passwords that are easy to guess are refused, with a message saying why."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from cluster.extensions import db
from cluster.models import User
from cluster.services import accounts

TRIVIAL = {
    "aaaaaaaaaa": "repeats the same characters",
    "1234567890": "one of the most common",
    "password12": "one of the most common",
    "Password 12": "one of the most common",
    "0987654321": "run of consecutive characters",
    "abcdefghijkl": "run of consecutive characters",
    "qwertyuiopasdf": "run of consecutive characters",
    "йцукенгшщзх": "run of consecutive characters",
    "abcabcabcabc": "repeats the same characters",
    "7890123456": "run of consecutive characters",
}


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(User))


@pytest.mark.parametrize(("password", "reason"), TRIVIAL.items(), ids=list(TRIVIAL))
def test_admin_cannot_give_a_new_user_a_trivial_password(app, client, staff, password, reason):
    staff.login(email="admin@example.org", role="admin")
    response = staff.post(
        "/en/staff/users",
        data={"email": "new@example.org", "name": "", "role": "editor", "password": password},
    )
    assert response.status_code == 422
    assert reason in response.get_data(as_text=True)
    assert user_count(app) == 1


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "1234567890", "password12"])
def test_create_user_command_refuses_a_trivial_password(app, runner, password):
    result = runner.invoke(
        args=["create-user", "someone@example.org", "--password-stdin"], input=password + "\n"
    )
    assert result.exit_code == 1
    assert "Choose another" in result.output
    assert user_count(app) == 0


@pytest.mark.parametrize(
    "password", ["correct horse battery", "linen 42 tram sunrise", "Калибр-шов-19"]
)
def test_passwords_of_unrelated_words_are_accepted(app, password):
    with app.test_request_context():
        accounts.check_password(password)


def test_setting_a_trivial_password_is_refused_too(app):
    with app.test_request_context():
        user = accounts.create_user("editor@example.org", "correct horse battery")
        with pytest.raises(accounts.AccountError, match="most common"):
            accounts.set_password(user, "iloveyou12")


def test_the_common_list_is_the_package_list_of_thousands():
    from cluster.services import passwords

    common = passwords.common_passwords()
    assert len(common) >= 30_000
    assert {"password", "qwerty", "iloveyou"} <= common

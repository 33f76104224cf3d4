"""Who may open which staff page: anonymous visitors, editors, admins; CSRF on every POST."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.routing import AnyConverter, IntegerConverter

from cluster.extensions import db
from cluster.models import Organisation, Revision, User
from cluster.services import organisations
from tests.helpers import make_user


@pytest.fixture
def listing(app):
    """One published organisation with a history of two revisions."""
    with app.app_context():
        raw = {"name": "Alpha Looms", "kind": "manufacturer", "status": "published"}
        values, errors = organisations.parse(raw)
        assert not errors
        org = organisations.create(values, None)
        db.session.commit()
        organisations.update(org, {"summary": "Weaving."}, None, org.version)
        db.session.commit()
        return org.slug


def staff_urls(app, slug="alpha-looms"):
    """Every (method, url) the staff blueprint answers, with sample values in the URL."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("staff.") or rule.endpoint == "staff.auth.login":
            continue
        values = {}
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter):
                values[name] = 1
            elif isinstance(converter, AnyConverter):
                values[name] = min(converter.items)
            else:
                values[name] = slug
        url = rule.build(values)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((method, url))
    return urls


def test_no_staff_page_opens_without_login(app, client, staff, listing):
    token = staff.csrf_token()
    urls = staff_urls(app)
    assert len(urls) >= 20
    for method, url in urls:
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code in (302, 401, 403), (method, url, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/en/staff/login"), (method, url)
    with app.app_context():
        org = db.session.scalar(sa.select(Organisation))
        assert (org.status, org.version) == ("published", 2)


# (method, url, answer for an editor, answer for an admin)
MATRIX = [
    ("GET", "/en/staff/", 200, 200),
    ("GET", "/en/staff/organisations", 200, 200),
    ("GET", "/en/staff/organisations?q=alpha&status=published&kind=manufacturer&page=1", 200, 200),
    ("GET", "/en/staff/organisations/new", 200, 200),
    ("GET", "/en/staff/organisations/alpha-looms/edit", 200, 200),
    ("GET", "/en/staff/organisations/alpha-looms/history", 200, 200),
    ("GET", "/en/staff/organisations/missing/edit", 404, 404),
    ("GET", "/en/staff/organisations/alpha-looms/delete", 403, 200),
    ("GET", "/en/staff/audit", 403, 200),
    ("GET", "/en/staff/users", 403, 200),
    ("POST", "/en/staff/organisations/alpha-looms/archive", 302, 302),
    ("POST", "/en/staff/organisations/alpha-looms/restore", 302, 302),
    ("POST", "/en/staff/organisations/alpha-looms/publish", 302, 302),
    ("POST", "/en/staff/organisations/alpha-looms/revisions/1/restore", 302, 302),
    ("POST", "/en/staff/users", 403, 422),
    ("POST", "/en/staff/organisations/alpha-looms/delete", 403, 302),
]


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_each_staff_page_answers_by_role(app, client, staff, listing, role):
    staff.login(role=role)
    for method, url, for_editor, for_admin in MATRIX:
        expected = for_editor if role == "editor" else for_admin
        response = staff.post(url) if method == "POST" else client.get(url)
        assert response.status_code == expected, (role, method, url)
    with app.app_context():
        deleted = db.session.scalar(sa.select(Organisation)) is None
    assert deleted is (role == "admin")


def test_editor_cannot_change_users(app, client, staff):
    staff.login(role="editor")
    other = make_user(app, "other@example.org")
    response = staff.post(f"/en/staff/users/{other}", {"role": "admin", "active": "1"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(User, other).role == "editor"


def test_admin_adds_a_user_and_changes_a_role(app, client, staff):
    staff.login(role="admin", email="admin@example.org")
    response = staff.post(
        "/en/staff/users",
        {"email": "new@example.org", "role": "editor", "password": "a long password"},
    )
    assert response.status_code == 302
    with app.app_context():
        new = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
        new_id = new.id
    staff.post(f"/en/staff/users/{new_id}", {"role": "admin", "active": "0"})
    with app.app_context():
        new = db.session.get(User, new_id)
        assert (new.role, new.active) == ("admin", False)
    assert 'data-action="user-change"' in client.get("/en/staff/audit").get_data(as_text=True)


def test_admin_cannot_demote_themself(app, client, staff):
    staff.login(role="admin", email="admin@example.org")
    with app.app_context():
        me = db.session.scalar(sa.select(User)).id
    staff.post(f"/en/staff/users/{me}", {"role": "editor", "active": "0"})
    with app.app_context():
        assert db.session.get(User, me).role == "admin"


def test_short_password_for_a_new_user_is_refused(app, client, staff):
    staff.login(role="admin", email="admin@example.org")
    response = staff.post(
        "/en/staff/users", {"email": "new@example.org", "role": "editor", "password": "short"}
    )
    assert response.status_code == 422
    assert "at least 10" in response.get_data(as_text=True)


def test_every_staff_post_without_csrf_token_is_refused(app, client, staff, listing):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    staff.login(role="admin")
    raw = {"name": "Changed", "kind": "startup", "version": "2"}
    for method, url in staff_urls(app):
        if method != "POST":
            continue
        response = client.post(url, data=raw)
        assert response.status_code == 400, url
    with app.app_context():
        org = db.session.scalar(sa.select(Organisation))
        assert (org.name, org.status, org.version) == ("Alpha Looms", "published", 2)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 2
    assert client.get("/en/staff/").status_code == 200  # the failed logout kept the session

"""Flask extensions, created unbound so that any module can import them without a cycle."""

from collections.abc import Callable
from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
# What models derive from. Flask-SQLAlchemy builds db.Model from Base at run time, which a type
# checker cannot follow; to it, the models are Base's, with their Mapped[...] columns.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def listen_to_session(**listeners: Callable[..., None]) -> None:
    """Hook these listeners (by event name: after_flush, after_commit ...) to db.session once.

    db.session is shared by every app built from this package: each listener is added once,
    however many apps are built, and finds its app through current_app when it runs.
    """
    for name, listener in listeners.items():
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)

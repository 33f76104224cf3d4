"""Keep the index in step with the database: collect changed ids at flush, index after commit."""

from flask import Flask


def init_app(app: Flask) -> None:
    pass

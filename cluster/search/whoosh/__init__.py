"""The Whoosh engine; every import of Whoosh stays inside this package."""

from .engine import WhooshBackend

__all__ = ["WhooshBackend"]

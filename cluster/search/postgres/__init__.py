"""The PostgreSQL engine; its SQL stays inside this package."""

from .engine import PostgresBackend

__all__ = ["PostgresBackend"]

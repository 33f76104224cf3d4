"""Template globals and filters shared by every page."""

from __future__ import annotations

from flask import Flask

from . import models


def init_app(app: Flask) -> None:
    @app.context_processor
    def labels():
        return {
            "KIND_LABELS": models.KIND_LABELS,
            "RESIDENCY_LABELS": models.RESIDENCY_LABELS,
            "STAGE_LABELS": models.STAGE_LABELS,
            "LOOKING_FOR_LABELS": models.LOOKING_FOR_LABELS,
        }

    @app.template_filter("date")
    def format_date(value, fmt: str = "%-d %B %Y") -> str:
        return value.strftime(fmt) if value else ""

    @app.template_filter("thousands")
    def thousands(value) -> str:
        return f"{value:,}".replace(",", "\u202f") if value is not None else ""

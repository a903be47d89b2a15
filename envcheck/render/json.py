"""The complete record: the report model as JSON (see `tfcert-envcheck schema`)."""

from __future__ import annotations

from envcheck.render import RenderOptions
from envcheck.results import Report


def render(report: Report, options: RenderOptions) -> str:
    return report.model_dump_json(indent=2) + "\n"

"""The complete record: the report model as JSON (see `tfcert-envcheck schema`)."""

from __future__ import annotations

import re

from envcheck.render import RenderOptions
from envcheck.results import Report

# JSON escapes C0 controls itself; C1 controls (some terminals act on U+009B as
# ESC [) and bidi overrides are escaped too, so `cat report.json` is harmless.
_UNSAFE = re.compile("[\u0080-\u009f\u202a-\u202e\u2066-\u2069]")


def escape_unsafe(text: str) -> str:
    """JSON text with C1 controls and bidi overrides written as \\uXXXX escapes."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def render(report: Report, options: RenderOptions) -> str:
    return escape_unsafe(report.model_dump_json(indent=2)) + "\n"

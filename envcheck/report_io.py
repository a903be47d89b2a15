"""Read a saved JSON report back into a `Report`, across schema versions.

`show`, `diff` and `fleet` read files that came from other machines and
other versions of this tool. A file that cannot be used is refused with one
line naming it and the problem (`ReportError`, exit 2), never a traceback.
Reading a report only parses it: nothing in it is ever run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from envcheck.errors import ReportError
from envcheck.reading import NotARegularFile, TooLarge, read_limited
from envcheck.results import SCHEMA_VERSION, Report

MAX_BYTES = 64 * 1024 * 1024
"""A real report is well under 1 MB; anything this large is not one."""

Migration = Callable[[dict[str, Any]], dict[str, Any]]


def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 2 keys `facts.probes` by probe name.

    Version 1 keyed a probe run with arguments (the benchmark's) by a repr
    of them, `bench:[('mode', 'quick'), ...]`, and the same run interrupted
    by its name. Each such key becomes the name before the colon, unless a
    run is already kept under that name: then it stays as it was, so that
    nothing in the file is lost.
    """
    facts = doc.get("facts")
    if not isinstance(facts, dict) or not isinstance(facts.get("probes"), dict):
        return doc
    probes: dict[str, Any] = {}
    for key, run in facts["probes"].items():
        name = key.split(":", 1)[0]
        if name in probes or name in facts["probes"]:
            name = key
        probes[name] = run
    return {**doc, "facts": {**facts, "probes": probes}}


MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2}
"""version N -> function turning a version-N document into a version-N+1 one."""


def load_report(path: Path) -> Report:
    """Parse, upgrade and validate the report in `path`."""
    try:
        raw = read_limited(path, MAX_BYTES)
    except TooLarge as exc:
        raise ReportError(f"{path}: {exc.size} bytes is too large for a report") from None
    except NotARegularFile as exc:
        raise ReportError(f"{path}: {exc}") from None
    except OSError as exc:
        raise ReportError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return parse_report(raw, name=str(path))


def parse_report(raw: bytes | str, *, name: str = "<report>") -> Report:
    """The same as `load_report` for text already in memory; `name` is used in messages."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise ReportError(f"{name}: not a JSON report (not UTF-8 text: {exc.reason})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(
            f"{name}: not a JSON report ({exc.msg}: line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise ReportError(f"{name}: not a JSON report (nested too deeply to read)") from None
    except ValueError as exc:  # e.g. an integer longer than Python's int-from-string limit
        raise ReportError(f"{name}: not a JSON report ({exc})") from None
    data = upgrade(data, name=name)
    try:
        return Report.model_validate(data)
    except ValidationError as exc:
        raise ReportError(f"{name}: not a valid report: {_first_error(exc)}") from None
    except RecursionError:
        raise ReportError(f"{name}: not a report (nested too deeply to read)") from None


def upgrade(
    data: Any,
    *,
    name: str = "<report>",
    current: int = SCHEMA_VERSION,
    migrations: dict[int, Migration] | None = None,
) -> dict[str, Any]:
    """Check the document's `schema_version` and migrate it step by step to `current`.

    Newer versions are refused: this tool cannot know what their fields
    mean, and guessing would show a candidate a wrong verdict.
    """
    steps = MIGRATIONS if migrations is None else migrations
    if not isinstance(data, dict):
        kind = type(data).__name__.replace("dict", "object").replace("list", "array")
        raise ReportError(f"{name}: not a tfcert-envcheck report (a JSON {kind}, not an object)")
    if data.get("tool", "tfcert-envcheck") != "tfcert-envcheck":
        raise ReportError(
            f"{name}: not a tfcert-envcheck report (tool is {str(data.get('tool'))[:40]!r})"
        )
    kind = data.get("kind", "check-report")
    if kind != "check-report":
        raise ReportError(
            f"{name}: a {str(kind)[:40]!r} document, not a check report "
            "(write one with `check --format json -o FILE` or `check --share`)"
        )
    version = data.get("schema_version")
    if version is None:
        raise ReportError(f"{name}: not a tfcert-envcheck report (no schema_version)")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ReportError(f"{name}: schema_version {version!r} is not a version number")
    if version > current:
        raise ReportError(
            f"{name}: report schema_version {version} is newer than this tool reads "
            f"(up to {current}); upgrade tfcert-envcheck to read it"
        )
    while version < current:
        step = steps.get(version)
        if step is None:
            raise ReportError(
                f"{name}: report schema_version {version} is no longer supported "
                f"(this tool reads {current}); run the check again to make a new report"
            )
        data = step(dict(data))
        version += 1
        data["schema_version"] = version
    document: dict[str, Any] = data
    return document


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"

"""Reading PyCharm's files without ever raising: problems become values.

PyCharm rewrites its XML files while it runs and on exit, so a file may be
empty or cut short when this tool reads it; a copied config may hold
anything. Every reader returns None and records a `FileProblem` naming the
file instead of raising. XML goes through defusedxml (no entity expansion,
no external entities).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException

from envcheck.reading import NotARegularFile, TooLarge, read_limited

MAX_FILE_BYTES = 16 * 1024 * 1024
"""PyCharm's option files are kilobytes; anything this large is not one."""

RUNNING_HINT = "PyCharm may have been writing it: close PyCharm and run again"


@dataclass(frozen=True)
class FileProblem:
    """A file that exists but could not be used, and why."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

    def to_dict(self) -> dict[str, str]:
        return {"path": str(self.path), "reason": self.reason}


Problems = list[FileProblem]


def read_bytes(path: Path, problems: Problems) -> bytes | None:
    """A file's bytes; None (and no problem) when it does not exist."""
    try:
        return read_limited(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        return None
    except TooLarge as exc:
        problems.append(FileProblem(path, f"{exc.size} bytes is too large to be PyCharm's file"))
    except NotARegularFile as exc:
        problems.append(FileProblem(path, str(exc)))
    except OSError as exc:
        problems.append(FileProblem(path, f"cannot be read: {exc.strerror or exc}"))
    return None


def read_xml(path: Path, problems: Problems) -> Element | None:
    """Parse an XML file safely; an empty, cut-short or non-XML file is a problem."""
    data = read_bytes(path, problems)
    if data is None:
        return None
    if not data.strip():
        problems.append(FileProblem(path, f"is empty ({RUNNING_HINT})"))
        return None
    try:
        root: Element = safe_et.fromstring(data)
    except ParseError as exc:
        line, col = exc.position if hasattr(exc, "position") else (0, 0)
        what = str(exc).split(":")[0]
        cut = "cut short" if what in ("no element found", "unclosed token") else "not valid XML"
        problems.append(
            FileProblem(path, f"{cut} ({what} at line {line}, column {col + 1}; {RUNNING_HINT})")
        )
        return None
    except DefusedXmlException as exc:
        problems.append(FileProblem(path, f"refused: {exc} (PyCharm never writes that)"))
        return None
    except (ValueError, UnicodeError) as exc:
        problems.append(FileProblem(path, f"not valid XML ({exc})"))
        return None
    return root


def read_json_object(path: Path, problems: Problems) -> dict[str, Any] | None:
    """A JSON file whose top level is an object (product-info.json)."""
    data = read_bytes(path, problems)
    if data is None:
        return None
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        problems.append(FileProblem(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
        return None
    except json.JSONDecodeError as exc:
        problems.append(
            FileProblem(
                path, f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
            )
        )
        return None
    if not isinstance(value, dict):
        problems.append(FileProblem(path, f"expected a JSON object, found {type(value).__name__}"))
        return None
    return value


def read_text(path: Path, problems: Problems) -> str | None:
    data = read_bytes(path, problems)
    if data is None:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def component(root: Element | None, name: str) -> Element | None:
    """`<component name=NAME>` under `<application>` or `<project>`."""
    if root is None:
        return None
    if root.tag == "component" and root.get("name") == name:
        return root
    for comp in root.iter("component"):
        if comp.get("name") == name:
            return comp
    return None

"""Make what a probe (or a path given by the user) says representable in a report.

A report is JSON in UTF-8. Some values cannot be written that way: a lone
surrogate (a path that is not valid UTF-8 arrives as surrogateescape
characters, or a probe may print a `\\ud800` escape), a NaN or an infinity,
a nesting deeper than any serialiser allows, a type JSON has no word for.
`representable` turns each into something that can be written and still
shows what it was: undecodable bytes as `\\xff`, other lone surrogates as
`\\ud800`, non-finite numbers as the strings "inf"/"nan", a subtree deeper
than MAX_DEPTH as a note saying so. The report is then always written.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import re
from pathlib import PurePath
from typing import Any

MAX_DEPTH = 64
"""Real probe facts nest about 6 levels; far below what json and pydantic accept."""

TOO_DEEP = f"(nested deeper than {MAX_DEPTH} levels: not kept)"

_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def escape_surrogates(text: str) -> str:
    """`text` with every lone surrogate written as an escape: valid UTF-8 from then on."""
    return _SURROGATE.sub(_escape, text)


def representable(value: Any) -> tuple[Any, list[str]]:
    """A copy of `value` that JSON in UTF-8 can carry, and what had to be changed (none: [])."""
    problems: list[str] = []
    return _clean(value, 0, problems), problems


def _clean(value: Any, depth: int, problems: list[str]) -> Any:
    if isinstance(value, str):
        if _SURROGATE.search(value):
            _note(problems, "text that is not valid UTF-8 (shown escaped)")
            return escape_surrogates(value)
        return value
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        _note(problems, "a number that is not finite (NaN or infinity)")
        return str(value)
    if depth >= MAX_DEPTH and isinstance(value, dict | list | tuple):
        _note(problems, f"values nested deeper than {MAX_DEPTH} levels")
        return TOO_DEEP
    if isinstance(value, dict):
        return {
            _clean(str(k), depth + 1, problems): _clean(v, depth + 1, problems)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_clean(v, depth + 1, problems) for v in value]
    # What pydantic would serialise itself, serialised the same way.
    if isinstance(value, set | frozenset):
        return [_clean(v, depth + 1, problems) for v in sorted(value, key=repr)]
    if isinstance(value, enum.Enum):
        return _clean(value.value, depth, problems)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _clean(dataclasses.asdict(value), depth, problems)
    if not isinstance(value, PurePath):
        _note(problems, f"a value of type {type(value).__name__}")
    return _clean(str(value), depth, problems)


def _note(problems: list[str], what: str) -> None:
    if what not in problems:
        problems.append(what)

"""Remove personal identifiers from a report before it is shared.

A report sent to support staff or kept as a CI artifact should not carry
the candidate's user name, home folder, host name or GPU serial identifiers.
`redact_report` replaces them everywhere they can hide (summaries, details,
raw probe facts, the target's paths) with placeholders, using the identity
the report itself recorded in `Report.host` (the machine that ran the check,
which is not necessarily the one redacting). Tool-defined fields (check ids,
categories, statuses, titles) are left alone so a redacted report still
loads, diffs and renders like any other.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from pathlib import Path
from typing import Any

from envcheck.results import Report

HOME = "~"
USER = "<user>"
HOST = "<host>"
REDACTED = "<redacted>"


_SECRET_KEYS = ("uuid", "serial")
"""Details keys whose whole value identifies a device (nvidia-smi's UUID, board serial)."""

_GPU_UUID = re.compile(
    r"(?<![0-9A-Za-z])(GPU|MIG)-[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}(?![0-9A-Za-z])"
)
_WORD = r"[0-9A-Za-z_]"
_NOT_PERSONAL_HOSTS = frozenset({"", "localhost", "localhost.localdomain"})

# Report fields that hold machine-dependent text; everything else is tool-defined.
_NOT_PERSONAL_USERS = frozenset({"root"})
"""The same account on every Unix machine (a lab's CI job runs as it): redacting it would
only mangle words such as "pytest-of-root" or "/root" (the home is redacted as a home)."""

_RESULT_FIELDS = ("summary", "observed", "expected", "fix", "source", "details")


def is_shareable(fmt: str, output: Path | None, *, to_terminal: bool | None = None) -> bool:
    """True unless this is the text view on the user's own terminal.

    One rule, whatever the destination: every machine-readable or shareable
    format (json, junit, markdown) is redacted on stdout as in a file, and so
    is text written to a file or a pipe (`> log.txt`, a CI log). Only text on
    a terminal, which the user reads and nobody else, shows their own paths.
    `to_terminal` defaults to whether stdout is a terminal.
    """
    if fmt != "text" or (output is not None and str(output) != "-"):
        return True
    if to_terminal is None:
        to_terminal = bool(getattr(sys.stdout, "isatty", lambda: False)())
    return not to_terminal


class Redactor:
    """Replaces one machine's identifiers in strings and nested JSON values.

    All identifiers are matched by one regular expression in one pass, so a
    placeholder is never rewritten by a later rule (a user named "host"
    stays "<user>", not "<<user>>"). Matching ignores case: Windows paths
    differ in case from the profile folder's spelling.
    """

    def __init__(self, host: dict[str, str]) -> None:
        parts: list[str] = []
        homes = [h for h in _home_spellings(host.get("home", "")) if _is_personal_home(h)]
        if homes:
            alternatives = "|".join(_path_pattern(h) for h in homes)
            # Only a home at the start of a path: "/srv/linux/root/x" is not under "/root".
            parts.append(f"(?<![0-9A-Za-z_.-])(?P<home>{alternatives})(?!{_WORD})")
        hostname = host.get("hostname", "")
        if hostname.lower() not in _NOT_PERSONAL_HOSTS:
            names = sorted({hostname, hostname.split(".")[0]}, key=len, reverse=True)
            alternatives = "|".join(re.escape(n) for n in names if n)
            # The domain after a short name goes too: it names the organisation.
            domain = r"(?:\.[A-Za-z][0-9A-Za-z-]*)*"
            parts.append(f"(?<!{_WORD})(?P<host>(?:{alternatives}){domain})(?!{_WORD})")
        user = host.get("user", "")
        if user and user != USER and user.lower() not in _NOT_PERSONAL_USERS:
            parts.append(f"(?<!{_WORD})(?P<user>{re.escape(user)})(?!{_WORD})")
        self._pattern = re.compile("|".join(parts), re.IGNORECASE) if parts else None
        self._uuids: dict[str, str] = {}

    def text(self, value: str) -> str:
        """One string with every identifier replaced."""
        value = _GPU_UUID.sub(self._uuid, value)
        if self._pattern is None:
            return value
        return self._pattern.sub(_placeholder, value)

    def value(self, value: Any) -> Any:
        """A JSON value (dict, list, string, number) with identifiers replaced, keys included."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            out: dict[Any, Any] = {}
            for key, item in value.items():
                new_key = self.text(key) if isinstance(key, str) else key
                if isinstance(key, str) and _is_secret_key(key) and item not in (None, ""):
                    out[new_key] = self._secret(item)
                else:
                    out[new_key] = self.value(item)
            return out
        if isinstance(value, list | tuple):
            return [self.value(item) for item in value]
        return value

    def _secret(self, item: Any) -> str:
        if isinstance(item, str) and _GPU_UUID.fullmatch(item):
            return self.text(item)
        return REDACTED

    def _uuid(self, match: re.Match[str]) -> str:
        # Numbered, so support staff can still tell two GPUs apart.
        uuid = match.group(0).upper()
        if uuid not in self._uuids:
            self._uuids[uuid] = f"{match.group(1)}-<redacted-{len(self._uuids) + 1}>"
        return self._uuids[uuid]


def redact_report(report: Report) -> Report:
    """A copy of `report` without the user name, home folder, host name and GPU UUIDs."""
    r = Redactor(report.host)
    data = report.model_dump(mode="json")
    data["target"] = {
        k: r.text(v) if isinstance(v, str) and k != "how_chosen" else v
        for k, v in data["target"].items()
    }
    data["matrix"] = r.text(data["matrix"])
    data["results"] = [
        {k: r.value(v) if k in _RESULT_FIELDS else v for k, v in result.items()}
        for result in data["results"]
    ]
    data["facts"] = r.value(data["facts"])
    host = dict(report.host)
    for key, placeholder in (("home", HOME), ("user", USER), ("hostname", HOST)):
        if key in host:
            host[key] = placeholder
    host["platform"] = r.text(host.get("platform", ""))
    host["redacted"] = "user name, home folder, host name, GPU identifiers"
    data["host"] = host
    return Report.model_validate(data)


def _placeholder(match: re.Match[str]) -> str:
    kind = match.lastgroup
    return {"home": HOME, "host": HOST, "user": USER}[kind or "user"]


def _is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return any(lowered == k or lowered.endswith("_" + k) for k in _SECRET_KEYS)


def _home_spellings(home: str) -> list[str]:
    """The home as recorded and, where it is reached through a symlink, its real path.

    Paths the probes report are often resolved (sys.executable, a venv's
    realpath), so a home at /home/alice -> /data/users/alice shows up as both.
    The real path is looked up on the machine that redacts; for a report from
    another machine whose home does not exist here it is the same path.
    """
    if not home or not Path(home).is_absolute():  # "~", or another OS's path
        return [home] if home else []
    spellings = [home]
    with contextlib.suppress(OSError, ValueError):
        real = os.path.realpath(home)
        if real != home.rstrip("/\\"):
            spellings.append(real)
    return sorted(spellings, key=len, reverse=True)


def _is_personal_home(home: str) -> bool:
    """A home worth redacting: not empty, not a bare root ("/", "C:\\") or the placeholder."""
    stripped = home.strip("/\\")
    return bool(stripped) and home != HOME and not re.fullmatch(r"[A-Za-z]:", stripped)


def _path_pattern(path: str) -> str:
    """`path` with / and \\ interchangeable (and doubled, as in escaped JSON text)."""
    pieces = [re.escape(p) for p in re.split(r"[/\\]+", path.rstrip("/\\"))]
    return r"[/\\]+".join(pieces)

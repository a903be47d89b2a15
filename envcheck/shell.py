"""Commands in fix hints, quoted so they can be pasted into the user's shell.

A path is quoted only when it needs it, so a redacted report's `~/...`
still works when pasted. On Windows a quoted program path is prefixed with
PowerShell's call operator `&` (the default terminal of Windows and of
PyCharm there), without which PowerShell refuses a quoted command.
"""

from __future__ import annotations

import os
import re
import shlex

_WINDOWS_SAFE = re.compile(r"^[\w.:\\/\-~]+$")


def quote_path(path: str, os_name: str | None = None) -> str:
    """One argument quoted for the shell of `os_name` ("windows" or anything else)."""
    if (os_name or ("windows" if os.name == "nt" else "posix")) == "windows":
        return path if _WINDOWS_SAFE.match(path) else f'"{path}"'
    return shlex.quote(path)


def python_command(python: str, os_name: str | None = None) -> str:
    """The interpreter as the program of a command line."""
    quoted = quote_path(python, os_name)
    is_windows = (os_name or ("windows" if os.name == "nt" else "posix")) == "windows"
    return f"& {quoted}" if is_windows and quoted.startswith('"') else quoted


def pip_install(python: str, args: str, os_name: str | None = None) -> str:
    """`<python> -m pip install <args>` for exactly this interpreter."""
    return f"{python_command(python, os_name)} -m pip install {args}".rstrip()

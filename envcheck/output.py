"""Where rendered output goes: stdout, or a file written atomically."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

from envcheck.errors import OutputError


def _file_mode(path: Path) -> int:
    """The mode `open(path, "w")` would give: the existing file's, else 0o666 less the umask.

    mkstemp makes its file 0600, which would leave a report for support
    staff, or one a CI job archives, unreadable to them.
    """
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: Path, text: str) -> None:
    """Write to a temp file beside `path`, then rename: never a half-written report."""
    directory = path.parent
    if not directory.is_dir():
        raise OutputError(f"{path}: the folder {directory} does not exist")
    fd = -1
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fd = -1
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).chmod(_file_mode(path))
        Path(tmp).replace(path)
        tmp = ""
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        if fd != -1:
            os.close(fd)
        if tmp:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()


def check_destination(path: Path | None) -> None:
    """Fail before a long run, not after it, when the report file cannot be written."""
    if path is None or str(path) == "-":
        return
    directory = path.parent
    if not directory.is_dir():
        raise OutputError(f"{path}: the folder {directory} does not exist")
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give the report a file name")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {directory}: {exc.strerror or exc}") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        Path(tmp).unlink()


def emit(text: str, output: Path | None) -> None:
    """The report to `-o FILE` (atomically) or to stdout."""
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(output, text)

"""Where rendered output goes: stdout, or the `-o` destination, by the kind of file it is.

A regular file (or a new name) is written atomically: a temp file beside it,
then a rename, so a report is never half-written. Through a symlink, the
link's target is replaced and the link kept. A character device (/dev/null,
a terminal) and a FIFO are written through, never replaced: the rename
would turn /dev/null into a plain file for everyone when run as root. So are
/dev/stdout and /proc/self/fd/N, whatever they lead to (appending, as the
shell's `>>` would). Anything else (a folder, a socket, a block device) is
refused with one line, exit 2.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
import time
from pathlib import Path

from envcheck.errors import OutputError
from envcheck.reading import file_kind

_HELD: dict[str, int] = {}
"""FIFOs opened by `check_destination`, kept open until `emit` writes to them.

Opening a FIFO is the only way to know it has a reader; closing it again
would end that reader (it sees end of file) before the report is there.
"""

_OPEN_FILE_LINKS = ("/proc/", "/dev/fd/")

FIFO_READER_GRACE_S = 2.0
"""How long a FIFO may wait for its reader (started beside the tool, as in `... & cat FIFO`)."""


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


def _through_open_file_link(path: Path) -> bool:
    """True when `path` leads through /proc/.../fd or /dev/fd: an already-open file."""
    current = path.absolute()
    for _ in range(40):
        if str(current).startswith(_OPEN_FILE_LINKS):
            return True
        if not current.is_symlink():
            return False
        current = Path(os.path.normpath(current.parent / current.readlink()))
    return False


def _kind_of(path: Path) -> tuple[str, Path]:
    """("new" | "regular" | "through" | "fifo" | "folder" | "refused:<kind>", where to write)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "new", Path(os.path.realpath(path))
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        return "folder", path
    if stat.S_ISFIFO(mode):
        return "fifo", path
    if stat.S_ISCHR(mode):
        return "through", path
    if stat.S_ISREG(mode):
        if _through_open_file_link(path):
            return "through", path
        return "regular", Path(os.path.realpath(path))
    return f"refused:{file_kind(mode)}", path


def _open_fifo(path: Path) -> int:
    """A FIFO opened for writing, refused at once when nobody reads it."""
    held = _HELD.pop(str(path), None)
    if held is not None:
        return held
    flags = os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    deadline = time.monotonic() + FIFO_READER_GRACE_S
    while True:
        try:
            return os.open(path, flags)
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
        if time.monotonic() >= deadline:
            raise OutputError(f"{path}: is a FIFO with no reader; start its reader first")
        time.sleep(0.05)


def _write_through(path: Path, text: str, *, fifo: bool) -> None:
    data = text.encode("utf-8")
    try:
        if fifo:
            fd = _open_fifo(path)
            os.set_blocking(fd, True)
        else:
            flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0)
            fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None


def check_destination(path: Path | None) -> None:
    """Fail before a long run, not after it, when the report file cannot be written."""
    if path is None or str(path) == "-":
        return
    what, target = _kind_of(path)
    if what == "folder":
        raise OutputError(f"{path}: is a folder; give the report a file name")
    if what.startswith("refused:"):
        raise OutputError(
            f"{path}: is {what.split(':', 1)[1]}, not a file; give the report a file name"
        )
    if what == "fifo":
        if str(path) not in _HELD:
            _HELD[str(path)] = _open_fifo(path)
        return
    if what == "through":
        return
    directory = target.parent
    if not directory.is_dir():
        raise OutputError(f"{path}: the folder {directory} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {directory}: {exc.strerror or exc}") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        Path(tmp).unlink()


def emit(text: str, output: Path | None) -> None:
    """The report to stdout, or to `-o` by the kind of file it names (see the module doc)."""
    if output is None or str(output) == "-":
        # Callers fit the text to stdout's encoding (render.fit_encoding); this is the
        # net for those that do not: \uXXXX escapes, which are also valid in JSON.
        from envcheck.render import fit_encoding

        sys.stdout.write(fit_encoding(text, "json", getattr(sys.stdout, "encoding", None)))
        sys.stdout.flush()
        return
    what, target = _kind_of(output)
    if what == "folder":
        raise OutputError(f"{output}: is a folder; give the report a file name")
    if what.startswith("refused:"):
        raise OutputError(f"{output}: is {what.split(':', 1)[1]}, not a file")
    if what in ("fifo", "through"):
        _write_through(output, text, fifo=what == "fifo")
    else:
        write_atomic(target, text)


def stream_usable(stream: object) -> bool:
    """False for a standard stream the shell closed (`>&-`): Python then sets it to None."""
    if stream is None:
        return False
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return True  # not a file (a test's buffer): writable as far as we can tell
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True

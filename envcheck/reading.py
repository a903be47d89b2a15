"""Read an input file (a report, a matrix, PyCharm's XML) with a size limit that always holds.

A path can name a FIFO (opening it waits for a writer, reading it waits for
data), /dev/zero (endless), or a device whose size `stat` reports as 0. So
a path that is not a regular file is refused before it is opened; a regular
one is opened without blocking, checked again on the open descriptor (it
may have been swapped for a FIFO in between) and read no further than the
limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str:
    """What a file of this `st_mode` is, in words ("a FIFO", "a regular file")."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "a regular file" if stat.S_ISREG(mode) else "not a file"


class NotARegularFile(OSError):
    """The path names a FIFO, a device, a socket or a folder; its message says which."""


class TooLarge(OSError):
    """The file holds more than the reader's limit: `size` bytes, or at least that many."""

    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them.

    Raises NotARegularFile, TooLarge, or the OSError of opening or reading
    (FileNotFoundError, PermissionError...).
    """
    mode = path.stat().st_mode  # a device is refused without being opened at all
    if not stat.S_ISREG(mode):
        raise NotARegularFile(f"is {file_kind(mode)}, not a regular file")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFile(f"is {file_kind(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            raise TooLarge(info.st_size)
        chunks: list[bytes] = []
        total = 0
        while total <= limit:  # the file may grow while it is read
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise TooLarge(total)
        return b"".join(chunks)
    finally:
        os.close(fd)

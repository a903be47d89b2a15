"""reading.read_limited: the one reader of input files, with a limit for every kind of file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from envcheck.reading import NotARegularFile, TooLarge, read_limited


def test_a_regular_file_within_the_limit_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b"x" * 100)
    assert read_limited(path, 100) == b"x" * 100


def test_one_byte_over_the_limit_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b"x" * 101)
    with pytest.raises(TooLarge) as caught:
        read_limited(path, 100)
    assert caught.value.size == 101


def test_a_folder_is_not_a_regular_file(tmp_path: Path) -> None:
    with pytest.raises(NotARegularFile, match="is a folder, not a regular file"):
        read_limited(tmp_path, 100)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX FIFO")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFile, match="is a FIFO"):
        read_limited(fifo, 100)


def test_a_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_limited(tmp_path / "nope", 100)

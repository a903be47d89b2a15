"""Writes temp files (as TensorFlow and the benchmark do), then crashes hard (SIGKILL).

The files go where the process is told: TMPDIR and its working directory. After
the run, neither may remain, and nothing may appear in the user's folders.
"""

import os
import signal
import tempfile

fd, _ = tempfile.mkstemp(prefix="fake-tf-")
os.write(fd, b"scratch data")
os.close(fd)
with open("fake-tf-cwd-file.bin", "wb") as fh:  # relative: lands in the working directory
    fh.write(b"x" * 1024)
os.kill(os.getpid(), signal.SIGKILL)

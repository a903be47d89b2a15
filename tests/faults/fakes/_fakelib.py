"""Shared by the fake interpreters: answer the version handshake as the real Python does.

Each fake is run through a small wrapper (`exec <real python> <fake>.py "$@"`), so
it receives exactly the arguments the tool gives an interpreter: `-c <code>` for
the handshake, `<probe script> <json args>` for a probe. Answering the handshake
truthfully lets the fault happen where it is meant to: in a probe.
"""

import os
import sys


def answer_handshake():
    """Become the real interpreter for `-c` (the version question); return otherwise."""
    if len(sys.argv) > 1 and sys.argv[1] == "-c":
        os.execv(sys.executable, [sys.executable, *sys.argv[1:]])


def run_real_probe():
    """Become the real interpreter running the probe the tool asked for."""
    os.execv(sys.executable, [sys.executable, *sys.argv[1:]])

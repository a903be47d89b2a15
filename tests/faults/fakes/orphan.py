"""Runs the real probe, but first starts a child that keeps the probe's stdout open.

A daemon left behind by a probe must not make the tool wait for it, nor outlive
the run. The child's pid goes to $FAKE_CHILD_PID_FILE for the test to look at.
"""

import os
import subprocess
import sys

import _fakelib

_fakelib.answer_handshake()
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
pid_file = os.environ.get("FAKE_CHILD_PID_FILE")
if pid_file:
    with open(pid_file, "a") as fh:
        fh.write(f"{child.pid}\n")
_fakelib.run_real_probe()

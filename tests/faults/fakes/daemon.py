"""Double-forks a daemon (its own session) that keeps the probe's stdout and stderr open.

The daemon escapes the probe's process group, so stopping the group does not
stop it. FAKE_DAEMON_THEN=hang makes the probe itself hang until its time
limit; otherwise the real probe runs. The daemon's pid goes to
$FAKE_CHILD_PID_FILE for the test to look at.
"""

import os
import time

import _fakelib

_fakelib.answer_handshake()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        pid_file = os.environ.get("FAKE_CHILD_PID_FILE")
        if pid_file:
            with open(pid_file, "a") as fh:
                fh.write(f"{os.getpid()}\n")
        time.sleep(600)
    os._exit(0)
os.wait()
if os.environ.get("FAKE_DAEMON_THEN") == "hang":
    time.sleep(600)
_fakelib.run_real_probe()

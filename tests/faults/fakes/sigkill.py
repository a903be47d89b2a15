"""Answers the version question, then kills itself with SIGKILL in every probe."""

import os
import signal

import _fakelib

_fakelib.answer_handshake()
os.kill(os.getpid(), signal.SIGKILL)

"""Answers the version question, then kills itself with SIGILL in every probe."""

import os
import signal

import _fakelib

_fakelib.answer_handshake()
os.kill(os.getpid(), signal.SIGILL)

"""Answers the version question, then hangs in every probe and ignores SIGTERM."""

import signal
import time

import _fakelib

_fakelib.answer_handshake()
signal.signal(signal.SIGTERM, signal.SIG_IGN)
while True:
    time.sleep(1)

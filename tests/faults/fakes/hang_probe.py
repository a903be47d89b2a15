"""Answers the version question, then hangs in every probe."""

import time

import _fakelib

_fakelib.answer_handshake()
time.sleep(600)

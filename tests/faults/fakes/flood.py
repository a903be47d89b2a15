"""Answers the version question, then prints to stdout without end (like `yes`)."""

import os

import _fakelib

_fakelib.answer_handshake()
block = b"y" * 65536
while True:
    os.write(1, block)

"""Answers the version question, then exits with code 7 and a reason on stderr."""

import sys

import _fakelib

_fakelib.answer_handshake()
sys.stderr.write("error: this interpreter's standard library is damaged (fake)\n")
sys.exit(7)

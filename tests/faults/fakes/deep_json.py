"""Answers the version question, then prints JSON nested 100 000 levels deep.

Parsing it naively overflows the parser's recursion limit (RecursionError).
"""

import sys

import _fakelib

_fakelib.answer_handshake()
sys.stdout.write("[" * 100000 + "]" * 100000)

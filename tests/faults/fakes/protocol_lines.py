"""Answers the version question, then prints 2 MiB of lines that look like probe documents.

Each line starts like the probe protocol's JSON but none is a document; the
tool must say so quickly (parsing linear in the output's size), not search
for minutes.
"""

import os

import _fakelib

_fakelib.answer_handshake()
line = b'{"complete": true, "protocol": 1, "facts": {"python": [1, 2,\n'
os.write(1, line * (2 * 2**20 // len(line)))

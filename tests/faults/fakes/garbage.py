"""Answers the version question, then prints garbage instead of a probe's JSON."""

import sys

import _fakelib

_fakelib.answer_handshake()
sys.stdout.write("\x00\x01 Segmentation of the moon: 42 {not json] \xff\n" * 50)

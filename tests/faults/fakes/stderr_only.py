"""Answers the version question, then writes only to stderr and exits 0 (no JSON)."""

import sys

import _fakelib

_fakelib.answer_handshake()
sys.stderr.write("Fatal Python error: init_import_site: Failed to import the site module\n")
sys.stderr.write("ModuleNotFoundError: No module named 'encodings.idna'\n")

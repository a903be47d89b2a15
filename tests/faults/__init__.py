"""Fault injection: each test breaks one thing the tool depends on and checks what a user sees.

docs/reliability.md lists every fault, the expected outcome and the test that proves it.
"""

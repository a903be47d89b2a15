"""Allocates and touches memory in 16 MiB steps until stopped (a probe gone wrong)."""

import time

held = []
while True:
    held.append(bytearray(b"\x01") * (16 * 1024 * 1024))  # built by copying: pages touched
    time.sleep(0.05)  # ~320 MiB/s: the watchdog (0.1 s) sees it first

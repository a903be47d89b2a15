"""Runs the real probe, then changes one of its facts before passing its answer on.

FAKE_MUTATE is JSON: {"probe": name, "path": [key, ...], "value": V} sets
facts[key][...] = V in that probe's document; {"raw": "TEXT"} instead puts
TEXT, verbatim, as the value (for what JSON cannot say: Infinity, a lone
surrogate escape). {"depth": N} nests the value N lists deep. The handshake
is answered truthfully.
"""

import json
import os
import subprocess
import sys

import _fakelib

_fakelib.answer_handshake()
spec = json.loads(os.environ["FAKE_MUTATE"])
proc = subprocess.run([sys.executable, *sys.argv[1:]], stdout=subprocess.PIPE, check=False)
doc = json.loads(proc.stdout)
if doc.get("probe") != spec["probe"]:
    sys.stdout.write(proc.stdout.decode("utf-8"))
    sys.exit(proc.returncode)
MARK = "@@MUTATED@@"
value = MARK if "raw" in spec else spec.get("value")
if "depth" in spec:
    for _ in range(spec["depth"]):
        value = [value]
target = doc["facts"]
for key in spec["path"][:-1]:
    target = target.setdefault(key, {})
target[spec["path"][-1]] = value
text = json.dumps(doc, sort_keys=True)
if "raw" in spec:
    text = text.replace(json.dumps(MARK), spec["raw"])
sys.stdout.write(text)
sys.exit(proc.returncode)

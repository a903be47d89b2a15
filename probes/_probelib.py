"""The shared shape of every probe: one JSON document on the real stdout.

Anything else the probed code prints (TensorFlow's C++ logging, a library's
print) is sent to stderr before the probe starts, so it can never corrupt
the JSON. A section that raises is recorded as an error with its reason,
never guessed: the checks say "could not determine" from it.
"""

import json
import os
import sys
import time
import traceback

# The protocol, shared with the tool: envcheck.probing.protocol reads these
# names from here (importing this module only defines them), so the two sides
# cannot drift apart.
PROTOCOL = 1
"""The version of the document every probe prints; the tool refuses others."""
PROGRESS_PREFIX = "@@envcheck-progress "
"""Marks a stderr line as a progress event: the prefix, then one JSON object."""

# Progress events the benchmark probe sends (the "event" field); the tool's
# progress display and benchmark collector act on them.
BENCH_START = "bench_start"
BENCH_WORKDIR = "bench_workdir"
BENCH_ENVIRONMENT = "bench_environment"
BENCH_CATEGORY_START = "bench_category_start"
BENCH_PHASE = "bench_phase"
BENCH_STEP = "bench_step"
BENCH_CATEGORY_DONE = "bench_category_done"
BENCH_SAVE_CHECK = "bench_save_check"


def section(facts, name, func, *args):
    """Run one fact-gathering function; record its result or why it failed."""
    start = time.time()
    try:
        facts[name] = func(*args)
    except Exception as exc:  # a probe reports, it never crashes on a fact
        facts[name] = {
            "error": "%s: %s" % (type(exc).__name__, exc),
            "error_type": type(exc).__name__,
            "traceback": traceback.format_exc(limit=4)[-2000:],
        }
    facts.setdefault("_timings", {})[name] = round(time.time() - start, 4)
    return facts[name]


def _claim_stdout():
    """Move fd 1 aside for the JSON and point fd 1 and sys.stdout at stderr."""
    sys.stdout.flush()
    json_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return json_fd


def progress(event, **fields):
    """A machine-readable progress line on stderr for the runner to show."""
    fields["event"] = event
    sys.stderr.write(PROGRESS_PREFIX + json.dumps(fields, sort_keys=True) + "\n")
    sys.stderr.flush()


def read_args():
    """Arguments come as one JSON object in argv[1] (never evaluated, only parsed)."""
    if len(sys.argv) > 1:
        return json.loads(sys.argv[1])
    return {}


def run(name, collect):
    """Call collect(facts, args) and emit {"protocol", "probe", "facts"} as JSON."""
    json_fd = _claim_stdout()
    facts = {}
    doc = {"protocol": PROTOCOL, "probe": name, "facts": facts, "complete": False}
    started = time.time()
    try:
        collect(facts, read_args())
        doc["complete"] = True
    except KeyboardInterrupt:
        doc["interrupted"] = True
    except Exception as exc:
        doc["error"] = "%s: %s" % (type(exc).__name__, exc)
        doc["traceback"] = traceback.format_exc(limit=6)[-4000:]
    doc["elapsed_s"] = round(time.time() - started, 4)
    data = json.dumps(doc, default=repr, sort_keys=True).encode("utf-8")
    view = memoryview(data)
    while view:
        written = os.write(json_fd, view)
        view = view[written:]
    os.close(json_fd)

"""Timing for the training benchmark: a Keras callback and robust statistics.

The callback only uses *begin* hooks (batch, test batch, epoch) plus the
epoch and test end hooks. Keras 3 runs batch *end* hooks on a thread pool
unless a callback overrides them, and Keras 2 converts logs to numpy for
callbacks that do not accept tensors; hooking the begins with tensor logs
keeps the measured training on the same fast path as a plain `fit()`.

Runs inside the interpreter under test (Python 3.7+): stdlib only here.
"""

import os
import time

import _probelib

PROGRESS_EVERY_S = 0.25


def median(values):
    """The middle value (mean of the two middle ones); None for no values."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return None
    mid = n // 2
    if n % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2.0


def mad(values):
    """Median absolute deviation from the median (multiply by 1.4826 for a sigma)."""
    center = median(values)
    if center is None:
        return None
    return median([abs(v - center) for v in values])


def summary(values):
    """n, median, MAD, mean, min and max of timing samples, in seconds."""
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "median_s": round(median(values), 6),
        "mad_s": round(mad(values), 6),
        "mean_s": round(sum(values) / len(values), 6),
        "min_s": round(min(values), 6),
        "max_s": round(max(values), 6),
    }


def peak_rss_mib():
    """This process's peak resident memory, or None where the OS does not say."""
    try:
        import resource
        import sys
    except ImportError:  # Windows has no resource module
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    divisor = 1024.0 * 1024.0 if sys.platform == "darwin" else 1024.0
    return round(peak / divisor, 1)


_USAGE_FIELDS = ("ru_utime", "ru_stime", "ru_minflt", "ru_majflt", "ru_nvcsw", "ru_nivcsw")


def resource_usage():
    """This process's user and system CPU seconds, page faults and context switches
    so far, or None where the OS has no getrusage (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return [getattr(usage, name) for name in _USAGE_FIELDS]


def thread_count():
    """How many threads this process has (Linux: /proc/self/task), or None elsewhere:
    threads left over from an earlier training compete for the CPU."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return None


def usage_delta(before, after):
    """What one epoch used: where its CPU time went (user: the computation; system:
    the kernel, page faults among it) and whether it was preempted (involuntary
    context switches), to tell a slower computation from waiting or paging."""
    if before is None or after is None:
        return None
    names = (
        "user_s",
        "sys_s",
        "minor_faults",
        "major_faults",
        "voluntary_switches",
        "involuntary_switches",
    )
    return dict(
        (name, round(b - a, 6) if name.endswith("_s") else int(b - a))
        for name, a, b in zip(names, before, after)
    )


def make_timer(keras, category, epochs_planned, label):
    """A Keras callback that records every step's time and each epoch's span."""

    class EpochTimer(keras.callbacks.Callback):
        # Keras 2: hand us logs as tensors (no numpy sync per step).
        _supports_tf_logs = True
        # Keras 3: our hooks do not need the end-of-batch logs in order.
        async_safe = True

        def __init__(self):
            super(EpochTimer, self).__init__()
            self.epochs = []
            self.train_started = None
            self.train_ended = None
            self._last_boundary = None
            self._current = None
            self._train_marks = []
            self._test_marks = []
            self._test_begin = None
            self._test_end = None
            self._last_progress = 0.0
            self._last_cpu = 0.0
            self._last_usage = None

        def on_train_begin(self, logs=None):
            self.train_started = time.perf_counter()
            self._last_boundary = self.train_started
            self._last_cpu = time.process_time()
            self._last_usage = resource_usage()

        def on_epoch_begin(self, epoch, logs=None):
            self._current = {"epoch": epoch, "begin": time.perf_counter()}
            self._train_marks = []
            self._test_marks = []
            self._test_begin = None
            self._test_end = None

        def on_train_batch_begin(self, batch, logs=None):
            now = time.perf_counter()
            self._train_marks.append(now)
            if now - self._last_progress >= PROGRESS_EVERY_S:
                self._last_progress = now
                steps = self.params.get("steps") if self.params else None
                epoch = len(self.epochs) + 1
                _probelib.progress(
                    _probelib.BENCH_STEP,
                    category=category,
                    epoch=epoch,
                    epochs=epochs_planned,
                    step=len(self._train_marks),
                    steps=steps,
                    message="%s: epoch %d/%d, step %d/%s"
                    % (label, epoch, epochs_planned, len(self._train_marks), steps or "?"),
                )

        def on_test_begin(self, logs=None):
            self._test_begin = time.perf_counter()

        def on_test_batch_begin(self, batch, logs=None):
            self._test_marks.append(time.perf_counter())

        def on_test_end(self, logs=None):
            self._test_end = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            end = time.perf_counter()
            self.epochs.append(self._close_epoch(end))
            self._last_boundary = end
            self._current = None

        def on_train_end(self, logs=None):
            self.train_ended = time.perf_counter()

        def _close_epoch(self, end):
            train_end = self._test_begin if self._test_begin is not None else end
            cpu = time.process_time()
            usage = resource_usage()
            begin = self._current["begin"]
            marks, tests = self._train_marks, self._test_marks
            record = {
                "span_s": end - self._last_boundary,
                "cpu_s": cpu - self._last_cpu,
                "train_step_s": _durations(marks, train_end),
                "val_step_s": _durations(tests, self._test_end),
                # Where the time outside the steps went (iterator set-up, callbacks).
                "gaps_s": {
                    "before_epoch": begin - self._last_boundary,
                    "to_first_step": (marks[0] - begin) if marks else 0.0,
                    "to_first_val_step": (tests[0] - self._test_begin) if tests else 0.0,
                    "after_validation": (end - self._test_end) if self._test_end else 0.0,
                },
            }
            spent = usage_delta(self._last_usage, usage)
            if spent is not None:
                spent["threads"] = thread_count()
                record["usage"] = spent
            self._last_cpu = cpu
            self._last_usage = usage
            return record

        def partial_epoch(self):
            """The epoch cut short by Ctrl-C, as far as it got (None if none ran)."""
            if self._current is None or len(self._train_marks) < 2:
                return None
            marks = self._train_marks
            return {"train_step_s": _durations(marks[:-1], marks[-1]), "incomplete": True}

    return EpochTimer()


def _durations(marks, end):
    """Step durations from the begin marks; the last step ends at `end`."""
    if not marks:
        return []
    bounds = list(marks) + ([end] if end is not None else [])
    return [bounds[i + 1] - bounds[i] for i in range(len(bounds) - 1)]

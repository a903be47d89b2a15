"""Train the exam's reference workloads briefly (or fully) and time them.

Arguments (one JSON object): {"mode": "quick"|"full", "workloads": [{"category",
"kind", "shape", "sizes"}], "warmup_steps": N, "save_check": bool}. The tool
reads the workloads from compat_matrix.yaml and sends quick or full sizes;
this probe only measures and never predicts.

Startup (import, data preparation, build and compile) is timed apart from
training; every step's time is recorded so the tool can drop warm-up steps
and use robust statistics. Each finished category is also sent as a
progress event, so that a probe killed later (out of memory, SIGKILL) still
leaves its earlier results with the tool. Ctrl-C (SIGINT) and SIGTERM stop
the run cleanly: what was measured so far is in the facts, and the
temporary folder is removed in every case.
"""

import logging
import os
import shutil
import signal
import sys
import tempfile
import time
import warnings

import _probelib
import bench_timing
import bench_workloads

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


class Terminated(KeyboardInterrupt):
    """SIGTERM (the runner's timeout) stops the run like Ctrl-C does."""


def _on_sigterm(signum, frame):
    raise Terminated()


def _environment(facts):
    started = time.perf_counter()
    import tensorflow as tf

    keras = tf.keras
    dense = keras.layers.Dense  # TF 2.16+ loads Keras lazily: make that part of the import
    import_s = time.perf_counter() - started
    del dense
    keras_version = getattr(keras, "__version__", None)
    try:
        import keras as keras_pkg

        keras_version = getattr(keras_pkg, "__version__", keras_version)
    except Exception:
        pass
    gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    return tf, {
        "import_s": round(import_s, 6),
        "python": "%d.%d.%d" % sys.version_info[:3],
        "tensorflow": tf.__version__,
        "keras": keras_version,
        "keras_major": _major(keras_version),
        "gpus": gpus,
        "device": "GPU" if gpus else "CPU",
        "cpu_count": os.cpu_count(),
        "usable_cpus": _usable_cpus(),
        "cpu_limit": _cgroup_cpu_limit(),
    }


def _usable_cpus():
    """The CPUs this process may run on (Linux affinity), or None where unknown."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return None


def _cgroup_cpu_limit(root="/sys/fs/cgroup", proc_cgroup="/proc/self/cgroup"):
    """The CPU time this process's cgroup allows, in CPUs (0.5: half of one), from
    cgroup v2's cpu.max or v1's cfs_quota_us / cfs_period_us, the smallest along the
    path up to the root; None where there is no limit or it cannot be read."""
    try:
        with open(proc_cgroup) as fh:
            lines = fh.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    limits = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hierarchy, controllers, path = parts
        if hierarchy == "0" and controllers == "":
            bases = [root]
            reader = _cpu_max
        elif "cpu" in controllers.split(","):
            bases = [os.path.join(root, name) for name in (controllers, "cpu", "cpu,cpuacct")]
            reader = _cfs_quota
        else:
            continue
        for base in bases:
            folder = os.path.join(base, path.lstrip("/"))
            while os.path.isdir(base) and folder.startswith(base):
                limit = reader(folder)
                if limit is not None:
                    limits.append(limit)
                if folder == base:
                    break
                folder = os.path.dirname(folder)
    return round(min(limits), 3) if limits else None


def _read_words(path):
    try:
        with open(path) as fh:
            return fh.read().split()
    except (OSError, UnicodeDecodeError):
        return None


def _cpu_max(folder):
    words = _read_words(os.path.join(folder, "cpu.max"))
    try:
        if words and words[0] != "max":
            return int(words[0]) / float(int(words[1]))
    except (ValueError, IndexError, ZeroDivisionError):
        pass
    return None


def _cfs_quota(folder):
    quota = _read_words(os.path.join(folder, "cpu.cfs_quota_us"))
    period = _read_words(os.path.join(folder, "cpu.cfs_period_us"))
    try:
        if quota and period and int(quota[0]) > 0:
            return int(quota[0]) / float(int(period[0]))
    except (ValueError, ZeroDivisionError):
        pass
    return None


def _major(version):
    try:
        return int(str(version).split(".")[0])
    except ValueError:
        return None


def _steady_summary(result, warmup):
    """Per-step median/MAD over the steady state (first epoch's warm-up dropped)."""
    train, val = [], []
    for index, epoch in enumerate(result.get("epochs", [])):
        steps = epoch.get("train_step_s", [])
        train.extend(steps[warmup:] if index == 0 else steps)
        val.extend(epoch.get("val_step_s", [])[1 if index == 0 else 0 :])
    return {"train_step": bench_timing.summary(train), "val_step": bench_timing.summary(val)}


def _run_category(facts, tf, spec, workdir, warmup):
    category = int(spec["category"])
    key = str(category)
    _probelib.progress(
        _probelib.BENCH_CATEGORY_START,
        category=category,
        kind=spec["kind"],
        epochs=spec["sizes"]["epochs"],
    )
    label = "benchmark %d: %s" % (category, spec.get("title") or spec["kind"])
    measurement = bench_workloads.Measurement(
        category, spec["kind"], spec["shape"], spec["sizes"], label
    )
    facts["categories"][key] = measurement.result
    folder = tempfile.mkdtemp(prefix="cat%d-" % category, dir=workdir)
    try:
        bench_workloads.run_workload(tf, measurement, folder)
    except KeyboardInterrupt:
        measurement.finish("interrupted")
        measurement.result["summary"] = _steady_summary(measurement.result, warmup)
        raise
    except Exception as exc:  # one broken workload must not hide the others
        measurement.finish("error")
        measurement.result["error"] = "%s: %s" % (type(exc).__name__, exc)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        tf.keras.backend.clear_session()
    measurement.result["summary"] = _steady_summary(measurement.result, warmup)
    _probelib.progress(_probelib.BENCH_CATEGORY_DONE, category=category, result=measurement.result)


class _Collect(logging.Handler):
    def __init__(self):
        logging.Handler.__init__(self, logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _save_check(tf, workdir, keras_major):
    """Save a small model as mymodel.h5 (what the exam's grader takes) and reload it."""
    import numpy as np

    keras = tf.keras
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    xs = np.arange(6, dtype="float32").reshape(-1, 1)
    model.fit(xs, 2 * xs - 1, epochs=2, verbose=0)
    path = os.path.join(workdir, "mymodel.h5")
    # Keras 3 says what .h5 means to it through absl logging, Keras 2 through warnings.
    logged = _Collect()
    absl_logger = logging.getLogger("absl")
    absl_logger.addHandler(logged)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.save(path)
            reloaded = keras.models.load_model(path)
    finally:
        absl_logger.removeHandler(logged)
    with open(path, "rb") as handle:
        signature = handle.read(8)
    before = model.predict(xs, verbose=0)
    after = reloaded.predict(xs, verbose=0)
    messages = []
    for text in [str(w.message) for w in caught] + logged.messages:
        text = text.strip().splitlines()[0] if text.strip() else ""
        if (
            text
            and text not in messages
            and ("h5" in text.lower() or "hdf5" in text.lower() or "legacy" in text.lower())
        ):
            messages.append(text[:300])
    return {
        "file": "mymodel.h5",
        "bytes": os.path.getsize(path),
        "is_hdf5": signature == HDF5_SIGNATURE,
        "reloaded": True,
        "same_predictions": bool(np.allclose(before, after, atol=1e-6)),
        "keras_major": keras_major,
        "warnings": messages,
    }


def collect(facts, args):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _on_sigterm)
    started = time.perf_counter()
    mode = args.get("mode", "quick")
    specs = args.get("workloads", [])
    warmup = int(args.get("warmup_steps", 2))
    facts["mode"] = mode
    facts["categories"] = {}
    _probelib.progress(_probelib.BENCH_START, mode=mode, categories=[s["category"] for s in specs])
    workdir = None
    try:
        # TensorFlow's import is where a probe most often dies (no AVX, no memory):
        # the temporary folder only exists after it.
        tf, env = _environment(facts)
        facts["environment"] = env
        _probelib.progress(_probelib.BENCH_ENVIRONMENT, environment=env)
        workdir = tempfile.mkdtemp(prefix="tfcert-bench-", dir=args.get("temp_parent"))
        facts["temp_dir"] = workdir
        # The tool removes this folder itself if the probe is killed outright.
        _probelib.progress(_probelib.BENCH_WORKDIR, temp_dir=workdir)
        for spec in specs:
            _run_category(facts, tf, spec, workdir, warmup)
        if args.get("save_check"):
            _probelib.progress(_probelib.BENCH_PHASE, category=None, phase="save_check")
            _probelib.section(facts, "save_check", _save_check, tf, workdir, env["keras_major"])
            _probelib.progress(_probelib.BENCH_SAVE_CHECK, result=facts["save_check"])
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
            facts["temp_dir_removed"] = not os.path.exists(workdir)
        facts["peak_rss_mib"] = bench_timing.peak_rss_mib()
        facts["wall_s"] = round(time.perf_counter() - started, 3)


if __name__ == "__main__":
    _probelib.run("bench", collect)

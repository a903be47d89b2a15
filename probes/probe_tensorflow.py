"""Import TensorFlow in the interpreter under test and report what it is.

This is the probe most likely to die (SIGILL on a CPU without AVX, a missing
CUDA library, a broken install): each fact is taken in its own section so
that whatever was learnt before the failure still comes back.
"""

import os
import sys
import time

import _probelib


def _import(args):
    started = time.time()
    import tensorflow as tf  # noqa: F401  (the import itself is the measurement)

    return {"seconds": round(time.time() - started, 3), "file": getattr(tf, "__file__", None)}


def _versions(args):
    import tensorflow as tf

    info = {"tensorflow": tf.__version__, "keras": None, "keras_source": None}
    try:
        import keras

        info["keras"] = getattr(keras, "__version__", None)
        info["keras_source"] = "keras"
    except Exception as exc:  # Keras may be absent or broken; tf.keras may still work
        info["keras_import_error"] = "%s: %s" % (type(exc).__name__, exc)
    if info["keras"] is None:
        try:
            info["keras"] = tf.keras.__version__
            info["keras_source"] = "tf.keras"
        except Exception as exc:
            info["tf_keras_error"] = "%s: %s" % (type(exc).__name__, exc)
    return info


def _build(args):
    import tensorflow as tf

    info = {"is_built_with_cuda": bool(tf.test.is_built_with_cuda())}
    try:
        build = dict(tf.sysconfig.get_build_info())
    except Exception as exc:
        build = {"error": "%s: %s" % (type(exc).__name__, exc)}
    info["build_info"] = {k: _plain(v) for k, v in build.items()}
    return info


def _plain(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return repr(value)


def _devices(args):
    import tensorflow as tf

    gpus = []
    for dev in tf.config.list_physical_devices("GPU"):
        entry = {"name": dev.name, "device_type": dev.device_type}
        try:
            details = tf.config.experimental.get_device_details(dev)
            entry["details"] = {k: _plain(v) for k, v in details.items()}
        except Exception as exc:
            entry["details_error"] = "%s: %s" % (type(exc).__name__, exc)
        gpus.append(entry)
    cpus = [d.name for d in tf.config.list_physical_devices("CPU")]
    return {"gpus": gpus, "cpus": cpus}


def collect(facts, args):
    # The tool wants TensorFlow's own messages (which CUDA library failed to
    # load): keep the C++ log at INFO unless the user chose otherwise.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0")
    imported = _probelib.section(facts, "import", _import, args)
    if isinstance(imported, dict) and "error" in imported:
        facts["import"]["missing"] = (
            imported.get("error_type") in ("ModuleNotFoundError",)
            and "tensorflow" in imported.get("error", "").split("'")[1:2]
        )
        return
    _probelib.section(facts, "versions", _versions, args)
    _probelib.section(facts, "build", _build, args)
    _probelib.section(facts, "devices", _devices, args)
    facts["python"] = list(sys.version_info[:3])


if __name__ == "__main__":
    _probelib.run("tensorflow", collect)

"""TensorFlow built against a CUDA runtime this machine lacks (as TensorFlow 1.x failed).

The loader's error is real: this asks the dynamic loader for CUDA 9's runtime, which
no current machine has; the ImportError wraps it as TensorFlow's loader did.
"""

import ctypes

try:
    ctypes.CDLL("libcudart.so.9.0")
except OSError as exc:
    raise ImportError(
        "Traceback (most recent call last):\n"
        f"ImportError: {exc}\n\n"
        "Failed to load the native TensorFlow runtime."
    ) from exc

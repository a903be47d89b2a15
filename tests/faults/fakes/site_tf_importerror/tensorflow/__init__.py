"""A broken TensorFlow install: its native module is missing, so the import system raises.

The ImportError is the interpreter's own ("cannot import name ..."), not a made-up one.
"""

from tensorflow.python import pywrap_tensorflow  # noqa: F401  (absent on purpose)

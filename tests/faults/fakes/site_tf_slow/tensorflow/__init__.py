"""A TensorFlow whose import takes far longer than its limit (a cold network drive)."""

import os
import time

time.sleep(float(os.environ.get("FAKE_TF_IMPORT_SECONDS", "600")))
__version__ = "2.9.0"

"""A TensorFlow binary that uses an instruction the CPU lacks: the import dies by SIGILL."""

import os
import signal

os.kill(os.getpid(), signal.SIGILL)

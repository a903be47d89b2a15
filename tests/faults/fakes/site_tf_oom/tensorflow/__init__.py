"""The out-of-memory killer ends the import: the process dies by SIGKILL."""

import os
import signal

os.kill(os.getpid(), signal.SIGKILL)

"""tfcert-envcheck: is this machine ready for the TensorFlow Developer Certificate exam?"""

from __future__ import annotations

__version__ = "0.1.0"

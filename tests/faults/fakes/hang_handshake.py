"""Never answers, not even the version question (a sitecustomize waiting on a network share)."""

import time

time.sleep(600)

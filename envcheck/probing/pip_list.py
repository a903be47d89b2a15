"""List the target interpreter's distributions with pip-api, as a probe process.

pip-api runs `<python> -m pip list` for the interpreter named by
PIPAPI_PYTHON_LOCATION, and asks pip's version at import time, so it runs in
a process of its own: the variable is set for this process only, and the
runner's timeout covers a pip that hangs. Prints one probe-protocol document.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from probes._probelib import PROTOCOL


def collect(target: str) -> dict[str, Any]:
    os.environ["PIPAPI_PYTHON_LOCATION"] = target
    try:
        import pip_api

        dists = pip_api.installed_distributions()  # type: ignore[attr-defined]
    except subprocess.CalledProcessError as exc:
        return {
            "error": f"`{target} -m pip list` exited with code {exc.returncode}",
            "error_type": "CalledProcessError",
        }
    except Exception as exc:  # pip-api raises several kinds when pip is absent or too old
        return {"error": f"{type(exc).__name__}: {exc}", "error_type": type(exc).__name__}
    return {
        "source": "pip-api",
        "pip_version": str(pip_api.PIP_VERSION),
        "distributions": [
            {"name": d.name, "version": str(d.version), "location": d.location}
            for d in dists.values()
        ],
    }


def main() -> None:
    target = sys.argv[1]
    facts = {"packages": collect(target)}
    doc = {"protocol": PROTOCOL, "probe": "pip", "facts": facts, "complete": True}
    sys.stdout.write(json.dumps(doc))


if __name__ == "__main__":
    main()

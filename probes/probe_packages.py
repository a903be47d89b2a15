"""Installed distributions read from metadata, without importing them.

The tool reads packages with pip-api first (envcheck.probing.pip_list); this
probe is the fallback for an interpreter without pip, and the only way to
see where each copy of a duplicated distribution lives.
"""

import os
import sys

import _probelib


def _distributions(args):
    try:
        from importlib import metadata  # Python 3.8+
    except ImportError:
        metadata = None
    found = []
    if metadata is not None:
        for dist in metadata.distributions():
            name = dist.metadata["Name"]
            if not name:
                continue
            location = None
            try:
                location = str(dist.locate_file(""))
            except Exception:
                pass
            found.append({"name": name, "version": dist.version, "location": location})
        return {"source": "importlib.metadata", "distributions": found}
    import pkg_resources  # Python 3.7 without importlib.metadata

    for dist in pkg_resources.working_set:
        found.append(
            {"name": dist.project_name, "version": dist.version, "location": dist.location}
        )
    return {"source": "pkg_resources", "distributions": found}


def _paths(args):
    return {"sys_path": [p for p in sys.path if p and os.path.isdir(p)]}


def collect(facts, args):
    _probelib.section(facts, "packages", _distributions, args)
    _probelib.section(facts, "paths", _paths, args)


if __name__ == "__main__":
    _probelib.run("packages", collect)

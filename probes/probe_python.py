"""What the interpreter under test is and where it came from.

The exam guide asks for a python.org Python, not Anaconda; PyCharm projects
often sit on a venv, so the base interpreter behind a venv is found too.
"""

import os
import platform
import sys
import sysconfig

import _probelib


def _identity(args):
    return {
        "version": list(sys.version_info[:3]),
        "releaselevel": sys.version_info[3],
        "version_string": sys.version,
        "implementation": platform.python_implementation(),
        "compiler": platform.python_compiler(),
        "bits": 64 if sys.maxsize > 2**32 else 32,
        "executable": sys.executable,
        "realpath": os.path.realpath(sys.executable) if sys.executable else None,
        "prefix": sys.prefix,
        "base_prefix": getattr(sys, "base_prefix", sys.prefix),
        "platform": sysconfig.get_platform(),
        "pip_available": _has_module("pip"),
        "user_site_enabled": bool(getattr(__import__("site"), "ENABLE_USER_SITE", False)),
    }


def _has_module(name):
    try:
        import importlib.util

        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _venv(args):
    prefix = sys.prefix
    base = getattr(sys, "base_prefix", prefix)
    cfg_path = os.path.join(prefix, "pyvenv.cfg")
    cfg = {}
    if os.path.isfile(cfg_path):
        with open(cfg_path) as fh:
            for line in fh:
                if "=" in line:
                    key, value = line.split("=", 1)
                    cfg[key.strip()] = value.strip()
    return {
        "is_venv": prefix != base or bool(cfg),
        "pyvenv_cfg": cfg or None,
        "base_prefix": base,
    }


def _origin(args):
    """Markers of where this Python came from; the tool side names the origin."""
    prefix = sys.prefix
    base = getattr(sys, "base_prefix", prefix)
    exe = os.path.realpath(sys.executable or "")
    return {
        "conda_meta_in_prefix": os.path.isdir(os.path.join(prefix, "conda-meta")),
        "conda_meta_in_base": os.path.isdir(os.path.join(base, "conda-meta")),
        "anaconda_in_version": any(
            word in sys.version for word in ("Anaconda", "Continuum", "conda-forge")
        ),
        "conda_env_var": os.environ.get("CONDA_DEFAULT_ENV"),
        "base_realpath": os.path.realpath(base),
        "exe_realpath": exe,
        "framework": sysconfig.get_config_var("PYTHONFRAMEWORK") or None,
        "externally_managed": os.path.isfile(
            os.path.join(sysconfig.get_paths().get("stdlib", ""), "EXTERNALLY-MANAGED")
        ),
    }


def collect(facts, args):
    _probelib.section(facts, "identity", _identity, args)
    _probelib.section(facts, "venv", _venv, args)
    _probelib.section(facts, "origin", _origin, args)


if __name__ == "__main__":
    _probelib.run("python", collect)

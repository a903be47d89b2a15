"""PyCharm on disk: installs, config directories, Python SDKs and projects.

Read-only and never executes anything: remote SDKs are reported, local
interpreters are only named (the caller decides whether to run them). Every
file problem becomes a `FileProblem` value naming the file. Which OS layout
and which home to read is a `Layout`, so any layout can be read anywhere.
"""

from __future__ import annotations

from envcheck.pycharm.layout import Layout, OsName
from envcheck.pycharm.resolve import PycharmFiles, Resolution, resolve_project_interpreter

__all__ = ["Layout", "OsName", "PycharmFiles", "Resolution", "resolve_project_interpreter"]

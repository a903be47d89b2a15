"""`check --project`: make the interpreter PyCharm would use the one under test.

The check command calls `apply_project` after parsing its options; the
pipeline then runs every check against the resolved interpreter exactly as
if --python had named it. When there is no usable interpreter the pipeline
gets a value it refuses to run (see `Resolution.python_for_check`), and the
pycharm.interpreter check explains why.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from envcheck.errors import UsageError
from envcheck.pycharm.layout import Layout
from envcheck.pycharm.resolve import Resolution, resolve_project_interpreter

if TYPE_CHECKING:
    from envcheck.pipeline import RunConfig


def apply_project(
    config: RunConfig,
    project: Path | None,
    pycharm_config: Path | None,
    *,
    layout: Layout | None = None,
) -> Resolution | None:
    """Resolve --project (with --pycharm-config) into `config`; None without --project."""
    layout = layout or Layout.current()
    options = config.options
    options.pycharm_layout = layout
    if pycharm_config is not None:
        if not pycharm_config.is_dir():
            raise UsageError(f"--pycharm-config {pycharm_config}: not a folder")
        options.pycharm_config = pycharm_config
    if project is None:
        return None
    if config.python is not None:
        raise UsageError(
            "--python and --project both choose the interpreter: give one "
            "(--project checks the interpreter PyCharm uses for that project)"
        )
    if not project.is_dir():
        raise UsageError(f"--project {project}: not a folder")
    resolution = resolve_project_interpreter(project, pycharm_config, layout)
    config.options.project = resolution.project
    options.pycharm_resolution = resolution
    config.python = resolution.python_for_check
    config.how_chosen = "--project"
    return resolution

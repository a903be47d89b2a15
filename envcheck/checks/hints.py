"""Install commands in fix hints, naming the interpreter under test by its full path.

A bare `python -m pip` would run whichever Python the user's shell finds
first: exactly the wrong-interpreter trap this tool exists to catch. The
long pin-install command appears once per report (Packages shows it first);
later checks refer to it instead of repeating it.
"""

from __future__ import annotations

from envcheck.checks.base import Context
from envcheck.probing.interpreter import Interpreter
from envcheck.shell import pip_install, python_command

SETUP_HINT = "or build a new exam environment with `tfcert-envcheck setup`"
_BARE_PREFIX = "python -m pip install "


def target_python(ctx: Context) -> str:
    """The checked interpreter's full path, as the probes saw it."""
    interp = ctx.interpreter
    return interp.executable if isinstance(interp, Interpreter) else interp.path


def command(ctx: Context, args: str, verb: str = "install") -> str:
    """`<the checked python> -m pip <verb> <args>`, quoted for this OS's shell."""
    if verb == "install":
        return pip_install(target_python(ctx), args)
    return f"{python_command(target_python(ctx))} -m pip {verb} {args}"


def pip(ctx: Context, args: str, verb: str = "install") -> str:
    """`command` in backquotes: one unit that the text view never breaks over two lines."""
    return f"`{command(ctx, args, verb)}`"


def pin_args(ctx: Context) -> str:
    """The profile's packages as pip arguments (its measured install command, if any)."""
    cmd = ctx.profile.install_command
    if cmd and cmd.startswith(_BARE_PREFIX):
        return cmd[len(_BARE_PREFIX) :]
    if cmd:
        return cmd
    return " ".join(f'"{n}{s}"' for n, s in ctx.profile.packages.items())


def pin_install(ctx: Context) -> str:
    """The long pin-install command, the first time a report needs it; else a reference."""
    if ctx.pin_install_shown:
        return (
            "the pin-install command shown under Packages (Pinned package versions), "
            "with this interpreter"
        )
    ctx.pin_install_shown = True
    return pip(ctx, pin_args(ctx))

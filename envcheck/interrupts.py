"""SIGTERM and SIGHUP stop a run the way Ctrl-C does.

A cancelled CI job and `timeout` send SIGTERM, a closed terminal SIGHUP.
Left to their default action they would kill the tool at once: no report,
the scratch folder left behind, the probe (in its own session) still
running. While `stop_signals_interrupt()` is active they raise `Stopped`, a
KeyboardInterrupt, so every path that handles Ctrl-C (stop the probe's
process group, keep the checks done so far, write the report, remove the
scratch folder) handles them too; the exit code is 128 + the signal's
number, as a shell reports a process killed by that signal.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType

from envcheck.outcome import ExitCode

STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)

Handler = Callable[[int, FrameType | None], None]

_received: list[int] = []
"""Signals that interrupted this run, first one first (Ctrl-C included once handled)."""


class Stopped(KeyboardInterrupt):
    """A stop signal (SIGTERM, SIGHUP) arrived: handled exactly like Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    raise Stopped(signum)


@contextlib.contextmanager
def stop_signals_interrupt() -> Iterator[None]:
    """SIGTERM/SIGHUP raise `Stopped` inside the block (main thread only, else no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _received.clear()
    with _handled(STOP_SIGNALS, _raise_stopped):
        yield


@contextlib.contextmanager
def _handled(signals: tuple[signal.Signals, ...], handler: Handler) -> Iterator[None]:
    """`handler` for `signals` inside the block, the previous handlers restored after it.

    `nohup` (or a parent) ignoring a signal is a choice to respect: it stays ignored.
    """
    previous = {
        sig: signal.signal(sig, handler)
        for sig in signals
        if signal.getsignal(sig) is not signal.SIG_IGN
    }
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old if old is not None else signal.SIG_DFL)


def received() -> int | None:
    """The stop signal that interrupted the run; None for Ctrl-C or no interruption."""
    stops = [s for s in _received if s in STOP_SIGNALS]
    return stops[0] if stops else None


def reason() -> str:
    """How the run was interrupted, for the report: "Ctrl-C", "SIGTERM", "SIGHUP"."""
    signum = received()
    return "Ctrl-C" if signum is None else signal.Signals(signum).name


def exit_code() -> int:
    """128 + the signal's number: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP."""
    signum = received()
    return ExitCode.INTERRUPTED if signum is None else 128 + signum


def exit_code_of(exc: BaseException) -> int:
    """The exit code for an interrupt that reached the top-level error handler."""
    if isinstance(exc, Stopped) and exc.signum not in _received:
        _received.append(exc.signum)
    return exit_code()


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP during the block take effect after it (the report write)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    try:
        with _handled((signal.SIGINT, *STOP_SIGNALS), note):
            yield
    finally:
        # Even when the block failed: the interrupt is what the user asked for.
        if caught and caught[0] in STOP_SIGNALS:
            _received.append(caught[0])
            raise Stopped(caught[0])
        if caught:
            raise KeyboardInterrupt

"""Make untrusted strings (package names, paths, error text) safe to display.

Report content can come from a candidate's machine or a file someone sent:
it may hold terminal escape sequences or control characters. Renderers show
them as visible escapes and never interpret them; rich markup is avoided by
building `rich.text.Text` objects instead of markup strings.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def clean(text: str, *, keep_newlines: bool = True) -> str:
    """Replace control characters (ESC included) by visible \\xNN / \\uNNNN escapes."""

    def escape(m: re.Match[str]) -> str:
        ch = m.group(0)
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    if not keep_newlines:
        text = text.replace("\r\n", " ").replace("\n", " ")
    text = text.replace("\t", "    ")
    return _CONTROL.sub(escape, text)


def line(text: str) -> str:
    """`clean`, with newlines shown as \\n: for names and paths, which must stay on one line.

    A newline in a check id, profile or path would otherwise print a line of
    the attacker's choosing (a forged "Ready for the exam").
    """
    return clean(text).replace("\n", "\\n")


def report_console(
    buf: io.StringIO, *, color: bool, width: int, soft_wrap: bool = False
) -> Console:
    """The rich Console every text renderer writes into: colour only when asked, no
    markup, emoji or highlighting of report text (which is untrusted), a fixed width."""
    from rich.console import Console

    return Console(
        file=buf,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=soft_wrap,
    )

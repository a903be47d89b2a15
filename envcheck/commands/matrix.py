"""`tfcert-envcheck matrix`: validate a compat_matrix.yaml, list its profiles."""

from __future__ import annotations

from pathlib import Path

import click

from envcheck.commands.options import matrix_option, output_options
from envcheck.deliver import Output


@click.group("matrix")
def command() -> None:
    """Inspect and validate compat_matrix.yaml."""


@command.command("validate")
@click.argument("file", type=click.Path(path_type=Path), required=False)
@output_options(["text", "json"], what="result")
def validate(file: Path | None, out: Output) -> None:
    """Check FILE (default: the bundled matrix); exit 2 with the key at fault if invalid."""
    from envcheck.deliver import deliver, dump_json, envelope
    from envcheck.matrix import BUNDLED_MATRIX, load_matrix

    m = load_matrix(file)
    name = str(file or BUNDLED_MATRIX)
    if out.fmt == "json":
        text = dump_json(
            envelope(
                "matrix-validation",
                {
                    "file": name,
                    "valid": True,
                    "profiles": len(m.profiles),
                    "tensorflow_builds": len(m.tensorflow_builds),
                    "default_profile": m.default_profile,
                },
            )
        )
    else:
        text = (
            f"{name}: valid ({len(m.profiles)} profiles, {len(m.tensorflow_builds)} "
            f"TensorFlow build rows, default profile {m.default_profile})\n"
        )
    deliver(_redacted(text, out), out)


@command.command("profiles")
@matrix_option()
@output_options(["text", "json"], what="profiles")
def profiles(matrix: Path | None, out: Output) -> None:
    """List the exam profiles: name, Python, TensorFlow pin and title."""
    from envcheck.deliver import deliver, dump_json, envelope
    from envcheck.matrix import load_matrix

    m = load_matrix(matrix)
    if out.fmt == "json":
        rows = [
            {
                "name": name,
                "python": p.python,
                "tensorflow": p.pin("tensorflow"),
                "title": p.title,
                "default": name == m.default_profile,
            }
            for name, p in m.profiles.items()
        ]
        text = dump_json(
            envelope("matrix-profiles", {"matrix": str(matrix or "bundled"), "profiles": rows})
        )
    else:
        lines = []
        for name, p in m.profiles.items():
            default = " (default)" if name == m.default_profile else ""
            tf = p.pin("tensorflow") or "unpinned"
            lines.append(f"{name:<14} Python {p.python:<5} tensorflow{tf:<9} {p.title}{default}\n")
        text = "".join(lines)
    deliver(_redacted(text, out), out)


def _redacted(text: str, out: Output) -> str:
    """A matrix path under the home folder loses it in shareable output."""
    if not out.redacted:
        return text
    from envcheck.redact import Redactor
    from envcheck.report_build import host_identity

    return Redactor(host_identity()).text(text)

"""`tfcert-envcheck matrix`: validate a compat_matrix.yaml, list its profiles."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("matrix")
def command() -> None:
    """Inspect and validate compat_matrix.yaml."""


@command.command("validate")
@click.argument("file", type=click.Path(path_type=Path), required=False)
def validate(file: Path | None) -> None:
    """Check FILE (default: the bundled matrix); exit 2 with the key at fault if invalid."""
    from envcheck.matrix import BUNDLED_MATRIX, load_matrix

    m = load_matrix(file)
    click.echo(
        f"{file or BUNDLED_MATRIX}: valid ({len(m.profiles)} profiles, "
        f"{len(m.tensorflow_builds)} TensorFlow build rows, default profile {m.default_profile})"
    )


@command.command("profiles")
@click.option("--matrix", type=click.Path(path_type=Path), default=None, metavar="FILE")
def profiles(matrix: Path | None) -> None:
    """List the exam profiles: name, Python, TensorFlow pin and title."""
    from envcheck.matrix import load_matrix

    m = load_matrix(matrix)
    for name, p in m.profiles.items():
        default = " (default)" if name == m.default_profile else ""
        tf = p.pin("tensorflow") or "unpinned"
        click.echo(f"{name:<14} Python {p.python:<5} tensorflow{tf:<9} {p.title}{default}")

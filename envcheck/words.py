"""How counts read in messages: one plural rule for every command and check."""

from __future__ import annotations


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    """'1 GPU', '2 GPUs', '3 categories' (with `plural_form` for an irregular word)."""
    return f"{n} {word if n == 1 else (plural_form or word + 's')}"

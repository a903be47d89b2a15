"""envcheck.probing.facts: every value a report may be handed can be written as UTF-8 JSON."""

from __future__ import annotations

import json
from pathlib import Path

from envcheck.probing.facts import MAX_DEPTH, TOO_DEEP, escape_surrogates, representable


def test_undecodable_bytes_show_as_hex_and_lone_surrogates_as_escapes() -> None:
    assert escape_surrogates("/home/caf\udce9/venv") == "/home/caf\\xe9/venv"
    assert escape_surrogates("x\ud800y") == "x\\ud800y"
    assert escape_surrogates("café 😀") == "café 😀"  # valid text is left alone


def test_a_cleaned_value_always_serialises() -> None:
    deep: object = 1
    for _ in range(MAX_DEPTH + 10):
        deep = [deep]
    value = {
        "path": "\udcff",
        "inf": float("inf"),
        "nan": float("nan"),
        "deep": deep,
        "where": Path("/opt"),
        "kinds": {"b", "a"},
        "\ud800key": 1,
    }
    cleaned, problems = representable(value)
    text = json.dumps(cleaned, allow_nan=False).encode("utf-8")  # neither raises
    assert TOO_DEEP in text.decode("utf-8")
    assert cleaned["inf"] == "inf" and cleaned["where"] == "/opt" and cleaned["kinds"] == ["a", "b"]
    assert "\\ud800key" in cleaned
    assert len(problems) == 3, problems


def test_plain_facts_come_back_unchanged() -> None:
    facts = {"version": [3, 8, 10], "ok": True, "ratio": 0.5, "name": "tensorflow", "none": None}
    assert representable(facts) == (facts, [])

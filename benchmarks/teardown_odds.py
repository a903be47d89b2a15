"""How often tf.data iterator teardowns waited, counted from saved measurements.

    python benchmarks/teardown_odds.py RAW.json [RAW.json ...]

RAW.json files come from `benchmarks/bench_predict.py --json` (gzipped or not;
benchmarks/results/ holds this project's). Every
iterator teardown in them (between two epochs where Keras makes a new
iterator, and when fit() returns) is one sample: how long the iterator
lived, the wait predicted if the teardown waits for the autotuning
thread's next wake-up (envcheck.bench.teardown.teardown_wait), and the gap
observed. A teardown "waited" when the gap was at least half the predicted
wait; teardowns whose predicted wait is under MIN_WAIT_S cannot be told
from noise and are left out. Prints, per TensorFlow version, the counts for
iterators that lived under and over TEARDOWN_SHORT_S: the figures behind
envcheck.bench.teardown.TEARDOWN_ODDS. A second table counts the epochs that
ended inside their last training step in the wait of an iterator that lived
since the previous epoch's training ended (Keras 3 over a dataset of unknown
length, the compat matrix's `dataset_length`; epoch_end_lifetime): the
figures behind EPOCH_END_ODDS. Keras 2 over NumPy arrays keeps one iterator for
the whole fit; its teardown when fit returns is counted apart, in a third
table: the figures behind FIT_END_ODDS.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_predict import read_raw

from envcheck.bench.teardown import (
    TEARDOWN_SHORT_S,
    epoch_end_excess,
    epoch_end_lifetime,
    fit_iterator_lifetime,
    iterator_lifetimes,
    leading_gap,
    teardown_wait,
)
from envcheck.matrix import load_matrix

MIN_WAIT_S = 0.3


@dataclass(frozen=True)
class Teardown:
    tensorflow: str
    category: int
    where: str
    """'epoch' (between two epochs), 'fit end' (the last epoch's iterator, when fit
    returns), 'whole fit' (when fit returns, the one iterator Keras 2 keeps for NumPy
    arrays) or 'epoch end' (inside an epoch's last step)."""
    lifetime_s: float
    predicted_s: float
    observed_s: float

    @property
    def waited(self) -> bool:
        return self.observed_s >= 0.5 * self.predicted_s


def teardowns(
    tensorflow: str,
    category: int,
    result: dict[str, Any],
    keras_major: int | None,
    unknown_length: bool = False,
) -> Iterator[Teardown]:
    """Every teardown of one category's result (see probes/bench_timing.py)."""
    epochs = [e for e in result.get("epochs", []) if isinstance(e, dict)]
    if unknown_length and keras_major == 3:
        for previous, epoch in itertools.pairwise(epochs):
            lifetime = epoch_end_lifetime(previous, epoch)
            yield Teardown(
                tensorflow,
                category,
                "epoch end",
                lifetime,
                teardown_wait(lifetime),
                epoch_end_excess(epoch),
            )
    per_epoch = result.get("kind") in {"image_cnn", "timeseries"} or keras_major == 3
    lifetimes = iterator_lifetimes(epochs)
    if per_epoch:
        for lifetime, after in zip(lifetimes, epochs[1:], strict=False):
            yield Teardown(
                tensorflow, category, "epoch", lifetime, teardown_wait(lifetime), leading_gap(after)
            )
    inner, tail = result.get("fit_inner_s"), result.get("fit_tail_s")
    if isinstance(inner, int | float) and isinstance(tail, int | float) and lifetimes:
        lifetime = lifetimes[-1] if per_epoch else fit_iterator_lifetime(float(inner), epochs)
        where = "fit end" if per_epoch else "whole fit"
        yield Teardown(tensorflow, category, where, lifetime, teardown_wait(lifetime), float(tail))


@functools.cache
def _unknown_length_categories() -> frozenset[int]:
    """The categories whose dataset does not know its length (the compat matrix's
    `dataset_length`), read once."""
    bench = load_matrix(None).benchmark
    assert bench is not None, "the compat matrix has no benchmark section"
    return frozenset(w.category for w in bench.workloads if w.dataset_length == "unknown")


def from_file(path: Path) -> Iterator[Teardown]:
    unknown = _unknown_length_categories()
    for env in read_raw(path):
        quick = env["quick"]["run"]
        environment = quick.get("environment") or {}
        tensorflow = str(environment.get("tensorflow", "?"))
        keras = environment.get("keras_major")
        runs = [quick]
        for saved in env.get("full", {}).values():
            runs += [item["run"] for item in saved] if isinstance(saved, list) else [saved]
        for run in runs:
            for key, result in run.get("categories", {}).items():
                if isinstance(result, dict) and result.get("status") == "done":
                    category = int(key)
                    yield from teardowns(tensorflow, category, result, keras, category in unknown)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("raw", type=Path, nargs="+", help="bench_predict.py --json files")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every teardown")
    args = parser.parse_args(argv)
    samples = [t for path in args.raw for t in from_file(path) if t.predicted_s >= MIN_WAIT_S]
    if args.verbose:
        for t in samples:
            print(
                f"TF {t.tensorflow} cat {t.category} {t.where:9} lived {t.lifetime_s:7.2f} s"
                f"  predicted {t.predicted_s:6.2f} s  observed {t.observed_s:6.2f} s"
                f"  {'waited' if t.waited else '-'}"
            )
    _table("TensorFlow", [t for t in samples if t.where in {"epoch", "fit end"}])
    for where, title in [("whole fit", "one iterator per fit"), ("epoch end", "epoch ends")]:
        if group := [t for t in samples if t.where == where]:
            print()
            _table(f"TensorFlow ({title})", group)
    return 0


def _table(first_column: str, samples: list[Teardown]) -> None:
    print(f"| {first_column} | lived < {TEARDOWN_SHORT_S:g} s | lived longer |")
    print("|---|---|---|")
    for tensorflow in sorted({t.tensorflow for t in samples}):
        cells = []
        for short in (True, False):
            group = [
                t
                for t in samples
                if t.tensorflow == tensorflow and (t.lifetime_s < TEARDOWN_SHORT_S) == short
            ]
            waited = sum(t.waited for t in group)
            share = f" ({waited / len(group):.0%})" if group else ""
            cells.append(f"{waited} of {len(group)} waited{share}")
        print(f"| {tensorflow} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    raise SystemExit(main())

"""Is it denormal numbers? Full trainings with and without flush-to-zero, side by side.

    python benchmarks/denormals.py --python PY --category 4 --json OUT.json.gz

Category 4's full runs under TF 2.9 have slow epochs that cost more CPU per step
(benchmarks/speed_modes.py). Arithmetic on denormal (subnormal) floats is many times
slower on x86 CPUs, and values in a recurrent network's backward pass and in Adam's
decaying moments can pass through that range for a while as training goes on, long
after a quick run's few hundred steps.

This runs `bench_predict.py` for the chosen category twice in a row, in the same
machine class: once as it is, once with the x86 MXCSR flags FTZ (flush to zero)
and DAZ (denormals are zero) set in every thread of the probe. The flags are set by
a tiny shared library (built here with the C compiler) that the dynamic loader runs
before Python starts (LD_PRELOAD); threads inherit the flags from the thread that
creates them. Nothing else changes: the same interpreter, TensorFlow, data and
model. If the slow epochs vanish with the flags, denormals are the cause.

Linux on x86-64 only, and it needs a C compiler (cc); it says so otherwise.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

FTZ_SOURCE = """
#include <xmmintrin.h>
/* MXCSR bit 15: flush to zero; bit 6: denormals are zero. */
__attribute__((constructor)) static void tfcert_flush_denormals(void) {
    _mm_setcsr(_mm_getcsr() | 0x8040);
}
"""


def build_library(folder: Path) -> Path:
    """The flush-to-zero library, compiled into `folder`."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise SystemExit("denormals: no C compiler (cc) to build the flush-to-zero library")
    source, library = folder / "ftz.c", folder / "libtfcert_ftz.so"
    source.write_text(FTZ_SOURCE, encoding="utf-8")
    subprocess.run(
        [compiler, "-O2", "-shared", "-fPIC", "-o", str(library), str(source)], check=True
    )
    return library


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", required=True, help="an interpreter with TensorFlow")
    parser.add_argument("--category", default="4", choices=["1", "2", "3", "4", "5"])
    parser.add_argument("--class", dest="machine_class", default="vm")
    parser.add_argument("--wait-quiet", default="60")
    parser.add_argument(
        "--json", type=Path, required=True, help="OUT.json.gz: writes OUT-normal and OUT-ftz"
    )
    args = parser.parse_args(argv)
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        print("denormals: needs Linux on x86-64 (MXCSR and LD_PRELOAD)", file=sys.stderr)
        return 2
    stem = args.json.name.removesuffix(".json.gz").removesuffix(".json")
    with tempfile.TemporaryDirectory(prefix="tfcert-ftz-") as tmp:
        library = build_library(Path(tmp))
        for label, extra in (("normal", {}), ("ftz", {"LD_PRELOAD": str(library)})):
            out = args.json.with_name(f"{stem}-{label}.json.gz")
            command = [
                sys.executable,
                str(HERE / "bench_predict.py"),
                "--python",
                args.python,
                "--category",
                args.category,
                "--class",
                args.machine_class,
                "--wait-quiet",
                args.wait_quiet,
                "--json",
                str(out),
            ]
            print(f"denormals: {label}: {' '.join(command)}", file=sys.stderr, flush=True)
            done = subprocess.run(command, env={**os.environ, **extra}, check=False)
            if done.returncode != 0:
                return done.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The training benchmark: will the five exam trainings fit the 5-hour exam?

- `config`: the `benchmark:` section of compat_matrix.yaml (workloads as data,
  budget, retrain factor, verdict thresholds), validated by pydantic.
- `measure`: runs probes/probe_bench.py in the interpreter under test, quick
  or full, and keeps per-category results even when the probe is stopped.
- `predict`: the arithmetic from a quick measurement to a full training time.
- `verdict`: total predicted time x retrain factor against the budget.

Nothing here imports TensorFlow; the probe does the training.
"""

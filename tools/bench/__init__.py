"""The benchmark harness of issue 5: a fast generator, a naive DRF baseline and an HTTP runner.

Not part of the product: only `tools.settings` installs the `bench` app (the naive baseline) and
mounts its URLs. Run it with `make bench` (1M contacts) or `make bench-small` (50k); see
docs/benchmarks.md.
"""

"""Benchmarks of issue 6: a synthetic dataset, import throughput, query latency, the report.

`python -m bench.dataset` writes a dataset, `bench.imports` measures importing it, and
`python -m bench` (the orchestrator) runs everything and writes `docs/benchmarks.md`.
"""

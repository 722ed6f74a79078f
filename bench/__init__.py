"""Benchmarks (issue 6): import throughput and query latency, side by side with their references.

`python -m bench` (or `make bench`) runs everything and writes docs/benchmarks.md; see there.
"""

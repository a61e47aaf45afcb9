"""Benchmarks: scripts that print ratios against the raw floor (see docs/performance.md)."""

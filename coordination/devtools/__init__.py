"""Developer tools: demo seeders' registry and base data, scale data for benchmarks, the make-run
runner."""

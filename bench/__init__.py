"""Benchmark of Anales against Datasette on the same SQLite file: `make bench`."""

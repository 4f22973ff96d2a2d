"""Anales: a typed REST API over a curated historical corpus."""

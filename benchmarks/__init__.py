"""Benchmarks (not run in CI): each is one command, prints a table and writes JSON to benchmarks/results/."""

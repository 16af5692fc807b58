"""Benchmarks: measured, written down, never asserted in the test suite."""

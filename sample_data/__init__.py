"""Seeded sample-data generator (see README.md and generate.py)."""

"""Benchmarks, the scale seed, the migration linter, the schema snapshot and throwaway databases:
tools for the people who work on smartstore, built on the core (and the embedded server)."""

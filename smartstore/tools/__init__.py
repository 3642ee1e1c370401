"""Benchmarks and scale tools: what measures the package, not what a service imports."""

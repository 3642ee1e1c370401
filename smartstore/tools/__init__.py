"""Tools around the package, not part of what a service imports: benchmarks, the scale seed, the
migration gate, the test databases, the licence gate."""

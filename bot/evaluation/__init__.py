"""Measurements: NLU accuracy on the held-out set, the language layer against langdetect, benchmarks."""

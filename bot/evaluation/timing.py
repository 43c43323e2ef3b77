"""Small helpers for timing figures, shared by the benchmarks."""

from __future__ import annotations


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def ms(seconds: float, digits: int = 3) -> float:
    """Seconds as milliseconds, rounded."""
    return round(seconds * 1000, digits)

"""What the loss-and-recovery suites ask of the wire: how the intervals
between a timer's successive segments grow."""
from __future__ import annotations

DOUBLING_LOW, DOUBLING_HIGH = 1.3, 3.0
DOUBLING = f"ratios between {DOUBLING_LOW} and {DOUBLING_HIGH}"


def interval_ratios(times_ns: list[int]) -> list[float]:
    """Each interval between successive times over the one before, to one decimal."""
    gaps = [b - a for a, b in zip(times_ns, times_ns[1:])]
    return [round(b / a, 1) for a, b in zip(gaps, gaps[1:]) if a > 0]


def doubling(times_ns: list[int]) -> bool:
    """Whether every interval is about twice the one before: 1.3 to 3 times,
    since a timer fires late by the machine's latency (on a loaded machine up
    to a third of a 300 ms interval), never early."""
    return all(DOUBLING_LOW <= r <= DOUBLING_HIGH for r in interval_ratios(times_ns))

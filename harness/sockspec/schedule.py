"""Longest tests first, on as many workers as are free.

A suite's wall time is at least its longest test (the SYN back-off chain,
about 7 s on Linux), and a long test started last is what makes a run
overrun that floor. So the tests are ordered by how long they took in the
target's previous results (tests marked slow first when there are none),
and pytest-xdist hands them out in that order, one at a time: a worker holds
two (the one running and the next, which pytest needs to know before it
finishes the current one). xdist's own load scheduler hands out contiguous
chunks, which would give one worker all the longest tests.
"""
from __future__ import annotations

import json
from pathlib import Path

from xdist.scheduler import LoadScheduling

IN_HAND = 2
UNKNOWN_S = 0.5     # a test the previous results do not have
SLOW_S = 5.0        # ... and one marked slow


def previous_durations(results_json: Path | None) -> dict[str, float]:
    """nodeid -> seconds, from a results.json; empty when there is none or it does not read."""
    if results_json is None:
        return {}
    try:
        tests = json.loads(results_json.read_text())["tests"]
        return {t["nodeid"]: float(t["duration_s"]) for t in tests if t.get("duration_s") is not None}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def longest_first(items: list, durations: dict[str, float]) -> None:
    """Sorts items in place, longest expected first (stable: equal ones keep their order)."""
    def expected(item) -> float:
        if item.nodeid in durations:
            return durations[item.nodeid]
        return SLOW_S if item.get_closest_marker("slow") else UNKNOWN_S

    items.sort(key=lambda item: -expected(item))


class LongestFirstScheduling(LoadScheduling):
    def schedule(self):
        assert self.collection_is_completed
        if self.collection is not None:
            for node in self.nodes:
                self.check_schedule(node)
            return
        if not self._check_nodes_have_same_collection():
            self.log("**Different tests collected, aborting run**")
            return
        self.collection = list(self.node2collection.values())[0]
        self.pending[:] = range(len(self.collection))
        # Out and back: the workers given the longest tests get the shortest
        # of the second round behind them.
        for node in self.nodes + self.nodes[::-1]:
            self._send_tests(node, 1)
        if not self.pending:
            for node in self.nodes:
                node.shutdown()

    def check_schedule(self, node, duration=0):
        if node.shutting_down:
            return
        if not self.pending:
            node.shutdown()
            return
        short = IN_HAND - len(self.node2pending[node])
        if short > 0:
            self._send_tests(node, short)

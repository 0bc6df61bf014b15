"""The probe output contract: JSON lines.

    {"probe": {...}}                               first: name, family, args, claims
    {"t_real_ns":..,"side":..,"call":..,...}       one per recorded syscall or state read
    {"t_real_ns":..,"side":..,"note":"..."}        a sentence from the scenario
    {"error": {"message":..,"call":..,"errno":..}} the environment stopped the probe
    {"observations": {...}}                        last, when the scenario ran to its end
"""
from __future__ import annotations

import json
from typing import Any

from .errors import ProbeOutputError

EVENT_FIELDS = ("t_real_ns", "t_mono_ns", "side")


def parse(stdout: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Returns (events, observations). Events include notes and the header and
    error lines, in order; observations are empty when the probe did not finish."""
    events: list[dict[str, Any]] = []
    observations: dict[str, Any] | None = None
    for number, line in enumerate(stdout.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as e:
            raise ProbeOutputError(f"probe output line {number} is not JSON ({e.msg}): {line[:80]!r}") from None
        if not isinstance(item, dict):
            raise ProbeOutputError(f"probe output line {number} is not a JSON object: {line[:80]!r}")
        if observations is not None:
            raise ProbeOutputError(f"probe output line {number} comes after the observations line")
        if "observations" in item:
            if not isinstance(item["observations"], dict):
                raise ProbeOutputError(f"probe output line {number}: observations is not an object")
            observations = item["observations"]
        elif "probe" in item or "error" in item:
            events.append(item)
        else:
            missing = [f for f in EVENT_FIELDS if f not in item]
            if missing or not ("call" in item or "note" in item):
                raise ProbeOutputError(
                    f"probe output line {number} is not an event (missing {', '.join(missing) or 'call/note'})")
            events.append(item)
    return events, observations or {}


def calls(events: list[dict[str, Any]], name: str | None = None, side: str | None = None) -> list[dict[str, Any]]:
    """The syscall events, optionally only those of one call name and/or side."""
    return [e for e in events if "call" in e and e["call"] != "state"
            and (name is None or e["call"] == name)
            and (side is None or e["side"] == side)]

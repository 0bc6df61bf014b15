"""The Run API suites write against: the `probe` fixture's runner, and the
run it gives back with the questions a test asks of it (observations, calls,
the capture, the connection, the ladder)."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from . import flow, observed, probe_output, timeline
from .errors import SockspecError
from .expect import Expect
from .targets import Fault, Invocation, RunRecord, Unsupported

# What a test's item keeps for the results: its runs and its checks, and with
# --sockspec-repeat each iteration's outcome and checks.
EXPECT_KEY = pytest.StashKey[Expect]()
RUNS_KEY = pytest.StashKey[list]()
ITERATIONS_KEY = pytest.StashKey[list]()
CHECK_ITERATIONS_KEY = pytest.StashKey[list]()


def test_id(item) -> str:
    return item.name.removeprefix("test_")


def file_stem(test_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", test_id).strip("-")


class ProbeFailed(SockspecError):
    """The probe did not run to its end (exit 1: the environment stopped it)."""


class Run:
    """One probe run as a suite sees it: the record, plus the questions suites ask of it."""

    def __init__(self, record: RunRecord):
        self.record = record
        self._packets: list[flow.Packet] | None = None

    @property
    def observations(self) -> dict[str, Any]:
        return self.record.observations

    @property
    def events(self) -> list[dict[str, Any]]:
        return self.record.events

    def __getitem__(self, key: str) -> Any:
        try:
            return observed.wrap(self.record.observations[key])
        except KeyError:
            raise AssertionError(f"the probe reported no observation {key!r} "
                                 f"(it reported {sorted(self.record.observations)})") from None

    @property
    def packets(self) -> list[flow.Packet]:
        """The capture; skips the test's wire checks where the target cannot capture."""
        if self._packets is None:
            if self.record.pcap is None:
                pytest.skip(f"wire checks skipped: {self.record.wire_unavailable or 'no capture was taken'}")
            self._packets = flow.read_pcap(self.record.pcap)
        return self._packets

    def segments(self) -> list[flow.Segment]:
        return [p for p in self.packets if isinstance(p, flow.Segment)]

    def connection(self, client: str | None = None, server: str | None = None) -> flow.Connection:
        """The connection between the probe's client_addr and server_addr (or the ones given)."""
        return flow.connection_between(self.packets, client or self["client_addr"], server or self["server_addr"])

    def calls(self, name: str | None = None, side: str | None = None) -> list[dict[str, Any]]:
        return probe_output.calls(self.events, name, side)

    def call(self, name: str, side: str | None = None, index: int = 0) -> dict[str, Any]:
        found = self.calls(name, side)
        if len(found) <= index:
            raise AssertionError(f"the probe made no {name}() call #{index + 1}" + (f" on the {side} side" if side else ""))
        return found[index]

    def ladder(self) -> str:
        packets = self.packets if self.record.pcap is not None else []
        server = flow.Endpoint.maybe(self.observations.get("server_addr"))
        return timeline.render_ladder(timeline.build(self.events, packets, [server] if server else []))


class ProbeRunner:
    def __init__(self, item, target, behaviour, family, pcap_dir: Path, repeat: int):
        self.item = item
        self.target = target
        self.behaviour = behaviour
        self.family = family
        self.pcap_dir = pcap_dir
        self.repeat = repeat
        self.iteration = 1  # set by pytest_pyfunc_call when --sockspec-repeat runs the test body again

    def __call__(self, *args: str, probe: str | None = None, sysctls: dict[str, Any] | None = None,
                 faults: list[Fault] | None = None, capture: bool = True, family: str | None = None,
                 timeout_s: float = 60.0) -> Run:
        """Runs the behaviour's probe (or `probe`) with these flags; --family is
        added from the test's parameter."""
        argv = [str(a) for a in args]
        fam = family or self.family
        if fam and fam != "unix" and not any(a.startswith("--family") for a in argv):
            argv = ["--family", fam, *argv]
        runs = self.item.stash.setdefault(RUNS_KEY, [])
        n = len(runs) + 1
        stem = file_stem(test_id(self.item)) + (f"-{n}" if n > 1 else "")
        invocation = Invocation(probe or self.behaviour.name, argv,
                                {k: str(v) for k, v in (sysctls or {}).items()}, capture,
                                self.pcap_dir / f"{stem}.pcap" if capture else None, list(faults or []),
                                timeout_s, peer=self.behaviour.peer and probe is None)
        try:
            record = self.target.run(invocation)
        except Unsupported as e:
            pytest.skip(f"{self.target.name} cannot run this: {e}")
        record.events_path = self.pcap_dir / f"{stem}.events.jsonl"
        record.events_path.parent.mkdir(parents=True, exist_ok=True)
        record.events_path.write_text("".join(json.dumps(e) + "\n" for e in record.events))
        run = Run(record)
        run.iteration = self.iteration
        runs.append(run)
        if record.exit_code != 0:
            raise ProbeFailed(f"probe {invocation.command_line()} exited {record.exit_code}: "
                              f"{record.stderr.strip()[-500:]}")
        return run

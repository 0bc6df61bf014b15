"""The target contract: where a probe runs, and what a run gives back.

A target takes an Invocation (which probe, its flags, the sysctls to set in
the run's own network namespace, whether to capture) and returns a RunRecord.
Suites only ever see RunRecords, so the same expectations judge a run on this
host, in a qemu guest or under gVisor.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any


@dataclasses.dataclass
class Fault:
    """Drop packets matching an nftables expression inside the run's namespace.

    `match` is an nft rule expression such as
    "tcp flags & (fin|ack) == ack tcp sport 5000"; `count` is how many matching
    packets to drop (0 means every one).
    """
    match: str
    count: int = 1


@dataclasses.dataclass
class Invocation:
    probe: str                      # probe name, e.g. "tcp_handshake"
    args: list[str] = dataclasses.field(default_factory=list)  # probe flags; the target adds --json
    sysctls: dict[str, str] = dataclasses.field(default_factory=dict)  # set inside the run's namespace
    capture: bool = True
    pcap_path: Path | None = None   # where to keep the capture; None: a temporary file
    faults: list[Fault] = dataclasses.field(default_factory=list)
    timeout_s: float = 60.0

    def command_line(self) -> str:
        return " ".join([self.probe, *self.args])


@dataclasses.dataclass
class RunRecord:
    invocation: Invocation
    target: str
    exit_code: int
    events: list[dict[str, Any]]
    observations: dict[str, Any]
    pcap: Path | None
    stderr: str
    duration_s: float
    # Why there is no capture, when a target cannot take one (e.g. a sandbox).
    wire_unavailable: str | None = None
    # Where the driver kept the events (JSON lines), when it kept them.
    events_path: Path | None = None

    @property
    def completed(self) -> bool:
        return self.exit_code == 0


class TargetError(RuntimeError):
    """The target could not run the probe at all (not the probe's own failure)."""


class Unsupported(TargetError):
    """The target lacks something the invocation needs (a sysctl, fault
    injection, capture): the test is skipped with this reason, not failed."""


class SysctlUnavailable(Unsupported):
    """A sysctl of the invocation does not exist, or cannot be set, on this target."""


class Target:
    name = "abstract"

    def environment(self) -> dict[str, Any]:
        raise NotImplementedError

    def run(self, invocation: Invocation) -> RunRecord:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

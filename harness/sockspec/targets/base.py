"""The target contract: where a probe runs, and what a run gives back.

A target takes an Invocation (which probe, its flags, the sysctls to set in
the run's own network namespace, whether to capture) and returns a RunRecord.
Suites only ever see RunRecords, so the same expectations judge a run on this
host, in a qemu guest or under gVisor.
"""
from __future__ import annotations

import atexit
import contextlib
import dataclasses
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any

from ..errors import SysctlUnavailable, TargetError, Unsupported
from ..faults import Fault

__all__ = ["Fault", "Invocation", "RunRecord", "SysctlUnavailable", "Target", "TargetError", "Unsupported"]


@dataclasses.dataclass
class Invocation:
    probe: str                      # probe name, e.g. "tcp_handshake"
    args: list[str] = dataclasses.field(default_factory=list)  # probe flags; the target adds --json
    sysctls: dict[str, str] = dataclasses.field(default_factory=dict)  # set inside the run's namespace
    capture: bool = True
    pcap_path: Path | None = None   # where to keep the capture; None: a temporary file
    faults: list[Fault] = dataclasses.field(default_factory=list)
    timeout_s: float = 60.0
    # The behaviour's far end is the scripted peer (a tun device the probe
    # makes): a target whose capture cannot see that device says so.
    peer: bool = False

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


class Target:
    name = "abstract"
    _workdir: Path | None = None

    def workdir(self) -> Path:
        """A private temporary directory for the target's files (captures, sockets)."""
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix=f"sockspec-{self.name}-"))
        return self._workdir

    def remove_workdir(self) -> None:
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def environment(self) -> dict[str, Any]:
        raise NotImplementedError

    def check_starts(self) -> None:
        """Raises TargetError naming what failed when this target cannot run a
        program at all, before any test asks it to; cheap, or nothing."""

    def run(self, invocation: Invocation) -> RunRecord:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def close_at_exit(target: Target) -> None:
    """Closes the target when the interpreter exits, if nothing closed it before
    (a guest or a sandbox must not outlive the driver)."""
    atexit.register(_close_if_alive, weakref.ref(target))


def _close_if_alive(ref: weakref.ref) -> None:
    target = ref()
    if target is not None:
        with contextlib.suppress(Exception):
            target.close()

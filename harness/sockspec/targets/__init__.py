"""Targets: where a probe runs. `host` is this kernel, one fresh namespace per run."""
from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from .base import Fault, Invocation, RunRecord, SysctlUnavailable, Target, TargetError, Unsupported

TARGET_NAMES = ("host", "qemu", "gvisor")


def make_target(name: str, build: Path, **options) -> Target:
    if name == "host":
        from .host import HostTarget
        return HostTarget(build)
    if name == "qemu":
        from .qemu import QemuTarget
        return QemuTarget(build, **options)
    if name == "gvisor":
        from .gvisor import GvisorTarget
        return GvisorTarget(build, **options)
    raise UsageError(f"unknown target {name!r} (known: {', '.join(TARGET_NAMES)})")


__all__ = ["Fault", "Invocation", "RunRecord", "SysctlUnavailable", "Target", "TargetError", "Unsupported",
           "make_target", "TARGET_NAMES"]

"""Targets: where a probe runs. `host` is this kernel, one fresh namespace per run."""
from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from .base import Fault, Invocation, RunRecord, SysctlUnavailable, Target, TargetError, Unsupported

TARGET_NAMES = ("host", "qemu", "gvisor")
# A stack is a target with a version: qemu:<kernel series>, gvisor:<release>
# (debian_archive.py says which package each is). `--target all` runs these.
ALL_STACKS = ("host", "qemu:5.10", "qemu:6.1", "qemu:6.12", "qemu:7.2", "gvisor:2022", "gvisor:2024")


def parse_stack(text: str) -> tuple[str, str | None]:
    """"qemu:5.10" -> ("qemu", "5.10"); "qemu" -> ("qemu", None): the default version."""
    from ..debian_archive import KERNELS, RUNSC

    kind, sep, version = text.partition(":")
    versions = {"host": (), "qemu": tuple(KERNELS), "gvisor": tuple(RUNSC)}
    if kind not in versions:
        raise UsageError(f"unknown target {text!r} (known: {', '.join(ALL_STACKS)}, or all)")
    if sep and version not in versions[kind]:
        known = ", ".join(f"{kind}:{v}" for v in versions[kind]) or kind
        raise UsageError(f"unknown target {text!r} (known: {known})")
    return kind, version or None


def make_target(name: str, build: Path, **options) -> Target:
    kind, version = parse_stack(name)
    if kind == "host":
        from .host import HostTarget
        return HostTarget(build)
    if kind == "qemu":
        from .qemu import QemuTarget
        return QemuTarget(build, series=version, **options)
    from .gvisor import GvisorTarget
    return GvisorTarget(build, release=version, **options)


__all__ = ["Fault", "Invocation", "RunRecord", "SysctlUnavailable", "Target", "TargetError", "Unsupported",
           "make_target", "parse_stack", "ALL_STACKS", "TARGET_NAMES"]

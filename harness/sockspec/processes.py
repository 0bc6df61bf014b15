"""Process lifetimes: children that die with the driver, and telling a dead
owner of something (a namespace, a staging directory) from a live one."""
from __future__ import annotations

import ctypes
import os
import signal
import time
from typing import Callable

PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def die_with_parent(sig: int = signal.SIGKILL) -> Callable[[], None]:
    """A preexec_fn: the child gets `sig` when the thread that spawned it dies,
    even by SIGKILL, so no tcpdump, probe, qemu or runsc outlives a killed run.
    Spawn from a thread that lives as long as the child should (the main one)."""
    parent = os.getpid()

    def preexec() -> None:
        _libc.prctl(PR_SET_PDEATHSIG, int(sig))
        if os.getppid() != parent:  # the parent died before the prctl: nothing would signal us
            os._exit(1)

    return preexec


def started_at(pid: int) -> float | None:
    """When process pid started (seconds since the epoch), or None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # Fields after the command name, which is in parentheses and may hold spaces.
    ticks = int(stat.rsplit(")", 1)[1].split()[19])
    boot = time.time() - time.clock_gettime(time.CLOCK_BOOTTIME)
    return boot + ticks / _CLOCK_TICKS


def owner_alive(pid: int, made_at: float) -> bool:
    """Whether pid is alive and is the process that made something at made_at
    (a process started later only reuses the number). One second of slack for
    clock steps: a live owner's things are never taken for stale."""
    start = started_at(pid)
    return start is not None and start <= made_at + 1.0

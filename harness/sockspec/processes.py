"""Process lifetimes: children that die with the driver, and telling a dead
owner of something (a namespace, a staging directory) from a live one."""
from __future__ import annotations

import ctypes
import os
import signal
import time
from pathlib import Path
from typing import Callable

from .errors import SockspecError
from .paths import launcher_path

PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def launched(argv: list[str], netns: Path | None = None, pdeathsig: int | None = None,
             build: Path | None = None) -> list[str]:
    """argv run through build/sockspec-enter: in the namespace mounted at
    `netns`, and with `pdeathsig`, getting that signal when the thread that
    spawns it dies, even by SIGKILL (spawn from one that lives as long as the
    child should: the main one). Without a preexec_fn, Popen can vfork()
    instead of copying the driver's address space (about 8 ms a child)."""
    launcher = launcher_path(build)
    if not launcher.exists():
        raise SockspecError(f"{launcher} is missing: build first (scripts/sockspec run builds, "
                            f"or cmake --build {launcher.parent})")
    head = [str(launcher)]
    if netns is not None:
        head += ["--netns", str(netns)]
    if pdeathsig is not None:
        head += ["--pdeathsig", str(int(pdeathsig)), "--parent", str(os.getpid())]
    return [*head, "--", *argv]


def die_with_parent(sig: int = signal.SIGKILL) -> Callable[[], None]:
    """A preexec_fn: the child gets `sig` when the thread that spawned it dies,
    even by SIGKILL. It makes Popen fork() the whole driver: for a child of
    its own, `launched()` costs less; this is for what runs before the build
    or lives as long as the driver (pytest, qemu)."""
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

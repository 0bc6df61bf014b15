"""Network namespaces that delete themselves.

Each probe run gets a fresh namespace named sockspec-<pid>-<n>: <pid> is the
driver process that made it, so a later run can tell a namespace left behind by
a killed run (its owner is dead) from one that another live run is using.
Sysctls are set inside the namespace only; the host's are never touched.
"""
from __future__ import annotations

import ctypes
import itertools
import os
import re
import signal
import subprocess
import threading
from pathlib import Path
from typing import Callable, TypeVar

from . import processes, sysctl
from .errors import SockspecError

PREFIX = "sockspec-"
NETNS_DIR = Path("/run/netns")
CLONE_NEWNET = 0x40000000
_counter = itertools.count(1)
_libc = ctypes.CDLL(None, use_errno=True)
T = TypeVar("T")


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(["ip", *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise SockspecError(f"ip {' '.join(args)} failed: {result.stderr.strip()}")
    return result


def in_netns(name: str, fn: Callable[[], T]) -> T:
    """Runs fn() in a thread that has entered the namespace, so sockets it makes
    and /proc/sys/net files it opens are the namespace's (setns is per thread)."""
    box: dict[str, object] = {}

    def body() -> None:
        try:
            with open(NETNS_DIR / name) as f:
                if _libc.setns(f.fileno(), CLONE_NEWNET) != 0:
                    err = ctypes.get_errno()
                    raise OSError(err, f"setns into {name}: {os.strerror(err)}")
            box["value"] = fn()
        except BaseException as e:  # handed to the caller's thread
            box["error"] = e

    t = threading.Thread(target=body, name=f"netns-{name}")
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


class NetNS:
    """A fresh namespace with loopback up; delete() (or leaving the with-block)
    kills what still runs in it and removes it."""

    def __init__(self, sysctls: dict[str, str] | None = None):
        self.name = f"{PREFIX}{os.getpid()}-{next(_counter)}"
        _ip("netns", "add", self.name)
        self._deleted = False
        try:
            _ip("-n", self.name, "link", "set", "lo", "up")
            if sysctls:
                self.set_sysctls(sysctls)
        except BaseException:
            self.delete()
            raise

    def set_sysctls(self, sysctls: dict[str, str]) -> None:
        for key, value in sysctls.items():
            sysctl.check(key, value)

        def write() -> None:
            for key, value in sysctls.items():
                try:
                    sysctl.write(key, value)
                except sysctl.Unavailable as e:
                    from .targets.base import SysctlUnavailable
                    raise SysctlUnavailable(str(e)) from None

        in_netns(self.name, write)

    def read_sysctls(self, keys: list[str]) -> dict[str, str | None]:
        return in_netns(self.name, lambda: {key: sysctl.read(key) for key in keys})

    def exec_argv(self, argv: list[str]) -> list[str]:
        """The argv that runs a command inside this namespace."""
        return ["ip", "netns", "exec", self.name, *argv]

    def delete(self) -> None:
        if self._deleted:
            return
        self._deleted = True
        remove(self.name)

    def __enter__(self) -> "NetNS":
        return self

    def __exit__(self, *exc) -> None:
        self.delete()


def kill_processes(name: str) -> None:
    pids = _ip("netns", "pids", name, check=False).stdout.split()
    for pid in pids:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass


def remove(name: str) -> None:
    kill_processes(name)
    _ip("netns", "delete", name, check=False)


def owner_pid(name: str) -> int | None:
    m = re.fullmatch(rf"{PREFIX}(\d+)-\d+", name)
    return int(m.group(1)) if m else None


def list_ours() -> list[str]:
    if not NETNS_DIR.is_dir():
        return []
    return sorted(p.name for p in NETNS_DIR.iterdir() if p.name.startswith(PREFIX))


def remove_own() -> list[str]:
    """Removes every namespace this process made that is still there: the
    safety net for a run interrupted between making a namespace and the code
    that deletes it."""
    mine = [n for n in list_ours() if owner_pid(n) == os.getpid()]
    for name in mine:
        remove(name)
    return mine


def _made_at(name: str) -> float | None:
    try:
        return os.stat(NETNS_DIR / name).st_mtime
    except FileNotFoundError:
        return None


def sweep_stale() -> list[str]:
    """Removes the namespaces (and what runs in them) of sockspec runs that are
    no longer alive; returns their names. A namespace whose owner lives is
    never touched, whatever run asks."""
    removed = []
    for name in list_ours():
        pid, made_at = owner_pid(name), _made_at(name)
        if made_at is None or (pid is not None and processes.owner_alive(pid, made_at)):
            continue
        remove(name)
        removed.append(name)
    return removed

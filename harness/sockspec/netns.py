"""Network namespaces that delete themselves.

Each probe run gets a fresh namespace named sockspec-<pid>-<n>: <pid> is the
driver process that made it, so a later run can tell a namespace left behind by
a killed run (its owner is dead) from one that another live run is using.
Sysctls are set inside the namespace only; the host's are never touched.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import itertools
import os
import re
import signal
import socket
import struct
import threading
from pathlib import Path
from typing import Callable, TypeVar

from . import processes, sysctl
from .errors import SockspecError, SysctlUnavailable

PREFIX = "sockspec-"
NETNS_DIR = Path("/run/netns")
CLONE_NEWNET = 0x40000000
MS_BIND, MS_REC, MS_SHARED, MNT_DETACH = 0x1000, 0x4000, 0x100000, 2
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
_counter = itertools.count(1)
_libc = ctypes.CDLL(None, use_errno=True)
_netns_dir_ready = False
T = TypeVar("T")


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise SockspecError(f"{what}: {os.strerror(err)}")


def _mount(source: str, target: Path, flags: int) -> int:
    return _libc.mount(source.encode(), str(target).encode(), b"none", ctypes.c_ulong(flags), None)


def _prepare_netns_dir() -> None:
    """/run/netns as `ip netns add` leaves it: a shared mount, so a namespace
    mounted there is seen from mount namespaces made later (`ip netns exec`'s)."""
    global _netns_dir_ready
    if _netns_dir_ready:
        return
    NETNS_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)
    if _mount("", NETNS_DIR, MS_SHARED | MS_REC) != 0:
        if ctypes.get_errno() != errno.EINVAL:  # EINVAL: not a mount point yet
            _check(-1, f"making {NETNS_DIR} a shared mount")
        _check(_mount(str(NETNS_DIR), NETNS_DIR, MS_BIND | MS_REC), f"bind-mounting {NETNS_DIR}")
        _check(_mount("", NETNS_DIR, MS_SHARED | MS_REC), f"making {NETNS_DIR} a shared mount")
    _netns_dir_ready = True


def _create(name: str) -> None:
    """What `ip netns add NAME` and `ip -n NAME link set lo up` do, without
    starting either: a thread unshares a new network namespace, mounts it at
    /run/netns/NAME (which keeps it alive) and brings its loopback up."""
    _prepare_netns_dir()
    path = NETNS_DIR / name
    os.close(os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0))
    def make() -> None:
        _check(_libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")
        _check(_mount(f"/proc/self/task/{threading.get_native_id()}/ns/net", path, MS_BIND),
               f"mounting the namespace at {path}")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            ifreq = fcntl.ioctl(s.fileno(), SIOCGIFFLAGS, struct.pack("16sH22x", b"lo", 0))
            flags = struct.unpack("16sH22x", ifreq)[1]
            fcntl.ioctl(s.fileno(), SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | IFF_UP))

    try:
        _in_own_thread(make, f"netns-add-{name}")
    except BaseException as e:
        _unmount(name)
        raise SockspecError(f"making namespace {name}: {e}") from None


def _unmount(name: str) -> None:
    """What `ip netns delete NAME` does: the namespace goes once nothing runs in it."""
    path = NETNS_DIR / name
    _libc.umount2(str(path).encode(), MNT_DETACH)
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def pids_in(name: str) -> list[int]:
    """The processes in namespace `name` (what `ip netns pids` lists)."""
    try:
        st = os.stat(NETNS_DIR / name)
    except FileNotFoundError:
        return []
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            ns = os.stat(f"/proc/{entry.name}/ns/net")
        except OSError:
            continue
        if (ns.st_dev, ns.st_ino) == (st.st_dev, st.st_ino):
            found.append(int(entry.name))
    return found


def _in_own_thread(fn: Callable[[], T], thread_name: str) -> T:
    """fn() in a new thread, whose namespace changes die with it; its result or exception here."""
    box: dict[str, object] = {}

    def body() -> None:
        try:
            box["value"] = fn()
        except BaseException as e:  # handed to the caller's thread
            box["error"] = e

    t = threading.Thread(target=body, name=thread_name)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def in_netns(name: str, fn: Callable[[], T]) -> T:
    """Runs fn() in a thread that has entered the namespace, so sockets it makes
    and /proc/sys/net files it opens are the namespace's (setns is per thread)."""
    def entered() -> T:
        with open(NETNS_DIR / name) as f:
            if _libc.setns(f.fileno(), CLONE_NEWNET) != 0:
                err = ctypes.get_errno()
                raise OSError(err, f"setns into {name}: {os.strerror(err)}")
        return fn()

    return _in_own_thread(entered, f"netns-{name}")


class NetNS:
    """A fresh namespace with loopback up; delete() (or leaving the with-block)
    kills what still runs in it and removes it."""

    def __init__(self, sysctls: dict[str, str] | None = None, build: Path | None = None):
        self.name = f"{PREFIX}{os.getpid()}-{next(_counter)}"
        self.build = build  # where build/sockspec-enter is (None: paths.build_dir())
        _create(self.name)
        self._deleted = False
        try:
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
                    raise SysctlUnavailable(str(e)) from None

        in_netns(self.name, write)

    def read_sysctls(self, keys: list[str]) -> dict[str, str | None]:
        return in_netns(self.name, lambda: {key: sysctl.read(key) for key in keys})

    def exec_argv(self, argv: list[str]) -> list[str]:
        """The argv that runs a command inside this namespace with the
        namespace's own /sys (`ip netns exec`; enter_argv() costs less)."""
        return ["ip", "netns", "exec", self.name, *argv]

    def enter_argv(self, argv: list[str], pdeathsig: int | None = None) -> list[str]:
        """The argv that runs a command inside this namespace through
        build/sockspec-enter (processes.launched()). Popen returns before the
        child has entered: wait for something it does in the namespace."""
        return processes.launched(argv, netns=NETNS_DIR / self.name, pdeathsig=pdeathsig, build=self.build)

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
    for pid in pids_in(name):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def remove(name: str) -> None:
    kill_processes(name)
    _unmount(name)


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

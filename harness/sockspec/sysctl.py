"""Per-namespace sysctls: the only keys sockspec writes, and how.

A key is a dotted name under `net.` (`net.ipv4.tcp_syncookies`); nothing else
in /proc/sys is per network namespace, so any other key would change the host.
A value is one line of printable text. The path is resolved under
/proc/sys/net of the calling thread's namespace and must be a regular file
there: no key can name a directory, a symlink out or another tree.
"""
from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from .errors import UsageError

PROC_SYS = Path("/proc/sys")
NET_ROOT = PROC_SYS / "net"
# Interface names (net.ipv4.conf.<if>.*) keep to the same characters.
KEY = re.compile(r"net(\.[A-Za-z0-9_-]+)+")
MAX_KEY = 200
# Space and tab separate the fields of multi-valued sysctls (tcp_rmem).
VALUE = re.compile(r"[\x20-\x7e\t]{1,256}")


class Unavailable(UsageError):
    """The key names no sysctl this network namespace lets us write."""


def check(key: str, value: str) -> None:
    """Raises UsageError unless key is a per-namespace net.* key and value one printable line."""
    if len(key) > MAX_KEY or not KEY.fullmatch(key):
        raise UsageError(f"sysctl {key[:60]!r}: only per-namespace net.* keys (like net.ipv4.tcp_syncookies) "
                         "can be set; other keys would change the host")
    if not VALUE.fullmatch(value):
        raise UsageError(f"sysctl {key}: the value must be 1 to 256 printable characters on one line, "
                         f"not {value[:40]!r}")


def path(key: str) -> Path:
    """The key's file in the calling thread's /proc/sys/net; raises unless it is a regular file there."""
    resolved = Path(os.path.realpath(PROC_SYS.joinpath(*key.split("."))))
    if not resolved.is_relative_to(NET_ROOT):
        raise UsageError(f"sysctl {key}: resolves outside /proc/sys/net")
    try:
        mode = os.lstat(resolved).st_mode
    except FileNotFoundError:
        raise Unavailable(f"sysctl {key} does not exist in this kernel's network namespace") from None
    if not stat.S_ISREG(mode):
        raise UsageError(f"sysctl {key}: not a sysctl but a directory of them")
    return resolved


def write(key: str, value: str) -> None:
    """Writes one checked sysctl in the calling thread's namespace; a value the kernel refuses is a UsageError."""
    check(key, value)
    try:
        fd = os.open(path(key), os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except PermissionError:
        raise Unavailable(f"sysctl {key} is read-only in a network namespace of this kernel") from None
    try:
        os.write(fd, f"{value}\n".encode())
    except OSError as e:
        if e.errno in (errno.EINVAL, errno.ERANGE, errno.EPERM, errno.EACCES, errno.EBUSY):
            raise UsageError(f"sysctl {key}: the kernel refused the value {value!r} "
                             f"({os.strerror(e.errno)})") from None
        raise
    finally:
        os.close(fd)


def read(key: str) -> str | None:
    """The value, whitespace-normalised, or None where the key does not exist."""
    check(key, "0")
    try:
        return " ".join(path(key).read_text().split())
    except Unavailable:
        return None

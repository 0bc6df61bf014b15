"""Whether a qemu guest can boot under KVM on this host.

Opening /dev/kvm is not enough: on some hosts (this one) a KVM guest hangs.
So KVM is tried once with a short deadline, and the verdict is kept in the
cache per host kernel, qemu and guest kernel: a host where KVM hangs pays for
the check once, not on every run.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Callable

from ..errors import TargetError
from .qemu_guest import Guest, qemu_version

KVM_CHECK_TIMEOUT_S = 8.0


def kvm_opens() -> bool:
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    os.close(fd)
    return True


def verdict_path(cache_dir: Path, kernel: Path) -> Path:
    key = f"{os.uname().release}|{qemu_version()}|{kernel}|{kernel.stat().st_size}"
    return Path(cache_dir) / f"kvm-check-{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"


def boot_trying_kvm(boot: Callable[[str, float], Guest], cache_dir: Path,
                    kernel: Path) -> tuple[Guest | None, str]:
    """A guest booted under KVM, or None; and the note that says why (for the
    results' environment). boot(accel, timeout_s) boots one guest."""
    if not kvm_opens():
        return None, "KVM skipped: /dev/kvm cannot be opened"
    path = verdict_path(cache_dir, kernel)
    verdict = None
    with contextlib.suppress(OSError, ValueError):
        verdict = json.loads(path.read_text())
    if verdict is not None and not verdict.get("works"):
        return None, f"KVM skipped: an earlier check failed ({path.name})"
    started = time.monotonic()
    guest = None
    try:
        guest = boot("kvm", KVM_CHECK_TIMEOUT_S)
        note = "KVM check passed: the guest booted under KVM"
    except TargetError as e:
        note = f"KVM check failed after {time.monotonic() - started:.1f} s, using TCG: {str(e)[:300]}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"works": guest is not None, "note": note}))
    return guest, note

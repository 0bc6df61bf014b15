"""The qemu target: probes run inside another Linux kernel booted under qemu.

One guest is booted lazily on the first run (or the first environment() call)
and serves every run until close().  The guest is an initramfs built by
harness/guest/build.py (busybox-static, the probes, tcpdump and its libraries,
the static agent harness/guest/agent.c).  The host talks to the agent over the
guest's second serial port (a unix socket on this side); the first serial port
is the kernel console, kept in a log for error messages.

Each run: the agent forks a supervisor that unshares a fresh network
namespace, brings lo up, writes the invocation's sysctls under /proc/sys in
that namespace, starts tcpdump on lo and waits for "listening on", runs
/probes/<probe> --json <args>, sends the capture-end marker, waits for it in
the pcap, stops tcpdump, and sends back exit code, stdout, stderr and the pcap
bytes.  The namespace dies with the supervisor.

Default kernel: the newest linux-image-6.1.0-*-cloud-amd64 of Debian's
archive (qemu_kernel.default_kernel, through debian_archive.py), unpacked
into <cache_dir>/kernels/ and never installed.  `kernel=` takes any other bzImage.

Acceleration: "tcg" (software), "kvm", or "auto" (the default; the
SOCKSPEC_QEMU_ACCEL environment variable overrides).  "auto" tries KVM only
when /dev/kvm opens and a previous check on this host has not failed: it boots
under KVM and keeps the guest if the agent says hello within a few seconds,
otherwise kills it, remembers the failure in the cache and boots under TCG.
"""
from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Any

from .. import faults as fault_rules
from ..environment import RELEVANT_SYSCTLS, tool_versions
from .base import Invocation, RunRecord, Target, TargetError, close_at_exit
from .guest_agent import (READ_SYSCTLS_SCRIPT, SysctlError, load_guest_builder, record_from_reply,
                          run_fields, sysctls_from_output)
from .qemu_guest import Guest, qemu_version
from .qemu_kvm import boot_trying_kvm
from .qemu_kernel import (DEFAULT_SERIES, BOOT_MODULES, FAULT_MODULES, KernelImage, default_kernel, modules_for_image,
                          resolve_modules)

__all__ = ["QemuTarget", "SysctlError"]


class QemuTarget(Target):
    name = "qemu"

    def __init__(self, build_dir: Path, cache_dir: Path | None = None, kernel: Path | None = None, *,
                 accel: str | None = None, memory_mb: int = 1024, smp: int = 1,
                 boot_timeout_s: float = 120.0, series: str | None = None):
        """cache_dir holds the downloaded kernel, the compiled agent and the KVM
        verdict; default $SOCKSPEC_CACHE or <build_dir>/cache.  memory_mb: 1 GiB
        is enough for the kernel to size tcp_rmem/tcp_wmem as on a normal host
        (below about 900 MiB it shrinks them, and the window scale with them)."""
        self.build_dir = Path(build_dir)
        self.cache_dir = Path(cache_dir or os.environ.get("SOCKSPEC_CACHE") or self.build_dir / "cache")
        self.kernel_arg = Path(kernel) if kernel is not None else None
        self.series = series   # "5.10", "6.1", ...: which Debian cloud kernel (default DEFAULT_SERIES)
        self.accel_request = (accel or os.environ.get("SOCKSPEC_QEMU_ACCEL") or "auto").lower()
        if self.accel_request not in ("auto", "tcg", "kvm"):
            raise ValueError(f"accel must be auto, tcg or kvm, not {self.accel_request!r}")
        self.memory_mb = memory_mb
        self.smp = smp
        self.boot_timeout_s = boot_timeout_s
        self._guest: Guest | None = None
        self._kernel: KernelImage | None = None
        self._booted_probes: dict[str, tuple[int, int]] = {}   # name -> (size, mtime) in the guest
        self._boots: list[dict[str, Any]] = []
        self._env_extra: dict[str, Any] | None = None
        self._kvm_note: str | None = None
        close_at_exit(self)

    # -- lifecycle
    def kernel(self) -> KernelImage:
        if self._kernel is None:
            if self.kernel_arg is not None:
                if not self.kernel_arg.is_file():
                    raise TargetError(f"kernel image {self.kernel_arg} does not exist")
                self._kernel = KernelImage(self.kernel_arg.resolve(),
                                           modules_dir=modules_for_image(self.kernel_arg.resolve()))
            else:
                self._kernel = default_kernel(self.cache_dir, self.series or DEFAULT_SERIES)
        return self._kernel

    def _boot(self) -> None:
        qemu_version()  # raises a clear error when qemu is missing
        builder = load_guest_builder()
        kernel = self.kernel()
        work = self.workdir()
        initrd = work / "initramfs.cpio"
        try:
            self._booted_probes = {name: (size, mtime) for name, size, mtime
                                   in builder.probes_signature(self.build_dir)}
            manifest = builder.build_initramfs(self.build_dir, self.cache_dir, initrd,
                                               modules=self._modules(kernel))
        except builder.BuildError as e:
            raise TargetError(f"building the guest initramfs: {e}") from e
        def boot(accel: str, timeout_s: float) -> Guest:
            return Guest(kernel.path, initrd, work, accel, self.memory_mb, self.smp, timeout_s)

        accel, guest = self.accel_request, None
        if accel == "auto":
            guest, self._kvm_note = boot_trying_kvm(boot, self.cache_dir, kernel.path)
            accel = "kvm" if guest is not None else "tcg"
        if guest is None:
            guest = boot(accel, self.boot_timeout_s)
        self._guest = guest
        self._boots.append({"accel": accel, "boot_s": round(guest.boot_s, 3), "channel": guest.channel,
                            "initramfs_bytes": manifest["size"], "probes": manifest["probes"],
                            "modules": manifest.get("modules")})
        with contextlib.suppress(OSError):
            initrd.unlink()

    def _modules(self, kernel: KernelImage) -> dict[str, list[Path]]:
        boot = resolve_modules(kernel.modules_dir, self.cache_dir, BOOT_MODULES)
        faults = [ko for ko in resolve_modules(kernel.modules_dir, self.cache_dir, FAULT_MODULES)
                  if ko not in boot]
        return {"boot": boot, "faults": faults}

    def _ensure_guest(self) -> Guest:
        if self._guest is not None and not self._guest.alive():
            self._guest.kill()
            self._guest = None
        if self._guest is None:
            self._boot()
        return self._guest

    def close(self) -> None:
        if self._guest is not None:
            self._guest.shutdown()
            self._guest = None
        self.remove_workdir()

    # -- the contract
    def run(self, invocation: Invocation) -> RunRecord:
        probe = self.build_dir / "probes" / invocation.probe
        if not probe.is_file():
            raise TargetError(f"qemu: no probe {probe}")
        if self._guest is not None:
            # One stat a run, not the whole build's: a probe rebuilt or added
            # since the boot is not in the guest, which is booted again with it.
            st = probe.stat()
            if self._booted_probes.get(invocation.probe) != (st.st_size, st.st_mtime_ns):
                self._guest.shutdown()
                self._guest = None
        guest = self._ensure_guest()
        fields = run_fields(invocation, f"/probes/{invocation.probe}", netns=True,
                            capturer="tcpdump", request_id=guest.next_id)
        if invocation.faults:
            fields["nft"] = fault_rules.ruleset(invocation.faults)
        try:
            reply = guest.request("run", invocation.timeout_s + 90.0, **fields)
        except TargetError:
            guest.kill()          # a wedged guest is not reused
            self._guest = None
            raise
        return record_from_reply(reply, invocation, self.name, self.workdir())

    def guest_command(self, argv: list[str], netns: bool = True, timeout_s: float = 60.0) -> dict[str, str]:
        """Runs any program inside the guest (no capture); stdout/stderr/exit_code."""
        guest = self._ensure_guest()
        reply = guest.request("run", timeout_s, timeout_ms=int(timeout_s * 1000), capture=0,
                              netns=1 if netns else 0, arg=argv)
        out = {k: v.decode("utf-8", "replace") for k, v in reply.items() if k != "pcap"}
        if out.get("status") != "ok":
            raise TargetError(f"qemu: {' '.join(argv)}: {out.get('error')}")
        return out

    def read_sysctls(self, keys: list[str]) -> dict[str, str | None]:
        """Values in a fresh namespace of the guest (None: not in this kernel)."""
        r = self.guest_command(["/bin/busybox", "sh", "-c", READ_SYSCTLS_SCRIPT, "sh", *keys], netns=True)
        return sysctls_from_output(r.get("stdout", ""), keys)

    def environment(self) -> dict[str, Any]:
        guest = self._ensure_guest()
        if self._env_extra is None:
            extra: dict[str, Any] = {"sysctls": self.read_sysctls(RELEVANT_SYSCTLS)}
            extra.update(tool_versions(self.build_dir))   # the compiler that built the probes
            r = self.guest_command(["/usr/bin/tcpdump", "--version"], netns=False)
            out = r.get("stdout", "") + r.get("stderr", "")
            m = re.search(r"tcpdump version (\S+)", out)
            extra["tcpdump_version"] = m.group(1) if m else None
            m = re.search(r"libpcap version (\S+)", out)
            extra["libpcap_version"] = m.group(1) if m else None
            self._env_extra = extra
        k = self.kernel()
        h = guest.hello
        env = {
            "target": "qemu",
            "kernel_release": h.get("release"),
            "kernel_version": h.get("version"),
            "machine": h.get("machine"),
            "proc_version": h.get("proc_version", "").strip(),
            "boot_s": self._boots[0]["boot_s"] if self._boots else None,
            "boots": list(self._boots),
            "accel": guest.accel,
            "accel_requested": self.accel_request,
            "accel_note": self._kvm_note,
            "qemu_version": qemu_version(),
            "qemu_command": " ".join(guest.command),
            "kernel_image": str(k.path),
            "kernel_package": k.package,
            "kernel_package_version": k.version,
            "memory_mb": self.memory_mb,
            "smp": self.smp,
            "capture": "tcpdump inside the guest's per-run network namespace",
            "modules": self._boots[-1].get("modules") if self._boots else None,
            "module_errors": h.get("module_errors"),
        }
        env.update(self._env_extra)
        return env

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

Default kernel: the newest linux-image-6.1.0-*-cloud-amd64 in apt's lists,
fetched with `apt-get download` and unpacked with `dpkg -x` into
<cache_dir>/kernels/ (never installed).  `kernel=` takes any other bzImage.

Acceleration: "tcg" (software), "kvm", or "auto" (the default; the
SOCKSPEC_QEMU_ACCEL environment variable overrides).  "auto" tries KVM only
when /dev/kvm opens and a previous check on this host has not failed: it boots
under KVM and keeps the guest if the agent says hello within a few seconds,
otherwise kills it, remembers the failure in the cache and boots under TCG.
"""
from __future__ import annotations

import atexit
import contextlib
import dataclasses
import hashlib
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from .base import Invocation, RunRecord, SysctlUnavailable, Target, TargetError

from .. import faults as fault_rules
from .. import probe_output, sysctl
from ..environment import RELEVANT_SYSCTLS, tool_versions
from ..errors import ProbeOutputError
from ..processes import die_with_parent

REPO = Path(__file__).resolve().parents[3]
GUEST_DIR = REPO / "harness" / "guest"
QEMU = "qemu-system-x86_64"
KVM_CHECK_TIMEOUT_S = 8.0


class SysctlError(SysctlUnavailable):
    """A sysctl of the invocation could not be set in the run's namespace."""


def load_guest_builder():
    """harness/guest/build.py, imported by path (it is not in a package)."""
    spec = importlib.util.spec_from_file_location("sockspec_guest_build", GUEST_DIR / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---------------------------------------------------------------- agent wire format

def encode_request(cmd: str, **fields: Any) -> bytes:
    """SOCKSPEC-REQ <len>\\n, then NUL-terminated fields (see agent.c)."""
    parts = [cmd]
    for key, value in fields.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            s = f"{key}={v}"
            if "\0" in s:
                raise TargetError(f"NUL byte in request field {key!r}")
            parts.append(s)
    payload = b"".join(p.encode() + b"\0" for p in parts)
    return b"SOCKSPEC-REQ %d\n" % len(payload) + payload


REPLY_MAGIC = b"\nSOCKSPEC-REPLY "


def decode_reply_payload(payload: bytes) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    i = 0
    while i < len(payload):
        a = payload.index(b"\0", i)
        b = payload.index(b"\0", a + 1)
        name = payload[i:a].decode()
        n = int(payload[a + 1:b])
        out[name] = payload[b + 1:b + 1 + n]
        if len(out[name]) != n:
            raise TargetError("truncated reply from the agent")
        i = b + 1 + n
    return out


def split_reply(buf: bytes) -> tuple[dict[str, bytes] | None, bytes]:
    """Finds one complete reply in buf; returns (reply or None, rest)."""
    i = buf.find(REPLY_MAGIC)
    if i < 0:
        return None, buf[-len(REPLY_MAGIC):]
    j = buf.find(b"\n", i + len(REPLY_MAGIC))
    if j < 0:
        return None, buf[i:]
    n = int(buf[i + len(REPLY_MAGIC):j])
    if len(buf) < j + 1 + n:
        return None, buf[i:]
    return decode_reply_payload(buf[j + 1:j + 1 + n]), buf[j + 1 + n:]


def run_fields(invocation: Invocation, program: str, *, netns: bool, capturer: str,
               request_id: int) -> dict[str, Any]:
    """The agent's run request for an invocation (the target adds --json)."""
    for key, value in invocation.sysctls.items():
        sysctl.check(key, value)
    sysctls = [f"{k}={v}" for k, v in invocation.sysctls.items()]
    return {
        "id": request_id,
        "timeout_ms": int(invocation.timeout_s * 1000),
        "capture": 1 if invocation.capture else 0,
        "capturer": capturer,
        "netns": 1 if netns else 0,
        "sysctl": sysctls,
        "arg": [program, "--json", *invocation.args],
    }


def record_from_reply(reply: dict[str, bytes], invocation: Invocation, target: str,
                      pcap_dir: Path, wire_unavailable: str | None = None) -> RunRecord:
    """Turns an agent reply into a RunRecord (raising for target failures)."""
    text = lambda k: reply.get(k, b"").decode("utf-8", "replace")  # noqa: E731
    if text("status") != "ok":
        kind, msg = text("error_kind"), text("error")
        cls = SysctlError if kind == "sysctl" else TargetError
        raise cls(f"{target}: {invocation.command_line()}: {msg}")
    exit_code = int(text("exit_code"))
    stdout, stderr = text("stdout"), text("stderr")
    if text("timed_out") == "1":
        raise TargetError(f"{target}: {invocation.command_line()}: timed out after "
                          f"{invocation.timeout_s}s; stderr: {stderr[-2000:]}")
    try:
        events, observations = probe_output.parse(stdout)
    except ProbeOutputError as e:
        if exit_code == 0:
            raise TargetError(f"{target}: {invocation.command_line()}: exit 0 but "
                              f"malformed output: {e}") from e
        events, observations = [], {}
    pcap = None
    if invocation.capture and wire_unavailable is None:
        data = reply.get("pcap")
        if not data:
            raise TargetError(f"{target}: no capture came back: {text('capture_log')}")
        if invocation.pcap_path is not None:
            pcap = Path(invocation.pcap_path)
            pcap.parent.mkdir(parents=True, exist_ok=True)
        else:
            fd, name = tempfile.mkstemp(dir=pcap_dir, prefix=f"{invocation.probe}-", suffix=".pcap")
            os.close(fd)
            pcap = Path(name)
        pcap.write_bytes(data)
    return RunRecord(
        invocation=invocation,
        target=target,
        exit_code=exit_code,
        events=events,
        observations=observations,
        pcap=pcap,
        stderr=stderr,
        duration_s=int(text("duration_ns") or 0) / 1e9,
        wire_unavailable=wire_unavailable if invocation.capture else None,
    )


# ---------------------------------------------------------------- the kernel

@dataclasses.dataclass
class KernelImage:
    path: Path
    package: str | None = None
    version: str | None = None
    modules_dir: Path | None = None   # lib/modules/<release> of that package


def default_kernel(cache_dir: Path) -> KernelImage:
    """Debian bookworm's 6.1 cloud kernel, unpacked in cache_dir/kernels
    (harness/guest/build.py does the apt-get download and dpkg-deb -x)."""
    builder = load_guest_builder()
    try:
        k = builder.default_kernel(cache_dir)
    except builder.BuildError as e:
        raise TargetError(str(e)) from e
    return KernelImage(Path(k["path"]), k.get("package"), k.get("version"),
                       Path(k["modules"]) if k.get("modules") else None)


# Loaded at boot: the sock_diag handlers probes use to read socket state
# (without them a SOCK_DIAG_BY_FAMILY dump fails with ENOENT).
BOOT_MODULES = ("inet_diag", "tcp_diag", "udp_diag", "raw_diag", "unix_diag",
                "af_packet_diag", "netlink_diag")
# Loaded before the first fault rules (harness/sockspec/faults.py).
FAULT_MODULES = ("nf_tables", "nft_numgen", "nft_limit", "nft_quota", "nft_reject_inet")


def _module_depends(ko: Path) -> list[str]:
    m = re.search(rb"(?:^|\0)depends=([^\0]*)\0", ko.read_bytes())
    return [d for d in m.group(1).decode().split(",") if d] if m else []


def resolve_modules(modules_dir: Path | None, cache_dir: Path, wanted: tuple[str, ...]) -> list[Path]:
    """The .ko files for `wanted` with their dependencies, in load order
    (xz-compressed modules are unpacked into the cache)."""
    if modules_dir is None or not modules_dir.is_dir():
        return []
    index: dict[str, Path] = {}
    for ko in modules_dir.rglob("*.ko*"):
        name = ko.name.split(".ko")[0]
        index.setdefault(name, ko)
        index.setdefault(name.replace("-", "_"), ko)

    def plain(ko: Path) -> Path:
        if ko.suffix == ".ko":
            return ko
        if ko.name.endswith(".ko.xz"):
            import lzma
            out = Path(cache_dir) / "modules" / modules_dir.name / ko.name[:-3]
            if not out.is_file():
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(lzma.decompress(ko.read_bytes()))
            return out
        raise TargetError(f"cannot unpack kernel module {ko}")

    order: list[Path] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        ko = index.get(name) or index.get(name.replace("-", "_"))
        if ko is None:
            return   # built in, or not in this kernel: nft will say what is missing
        ko = plain(ko)
        for dep in _module_depends(ko):
            visit(dep)
        order.append(ko)

    for name in wanted:
        visit(name)
    return order


def modules_for_image(image: Path) -> Path | None:
    """lib/modules/<release> that belongs to a bzImage named vmlinuz-<release>,
    when it sits in an unpacked package tree (boot/ next to lib/) or the host
    has that release's modules installed; None otherwise (then the kernel must
    have sock_diag and nf_tables built in for the probes and faults that use them)."""
    if not image.name.startswith("vmlinuz-"):
        return None
    release = image.name[len("vmlinuz-"):]
    for cand in (image.parent.parent / "lib" / "modules" / release,
                 image.parent / "modules" / release,
                 Path("/lib/modules") / release):
        if cand.is_dir():
            return cand
    return None


def qemu_version() -> str:
    exe = shutil.which(QEMU)
    if not exe:
        raise TargetError(f"{QEMU} not found (apt-get install qemu-system-x86)")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
    return out.splitlines()[0].strip() if out else "unknown"


def kvm_usable() -> bool:
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    os.close(fd)
    return True


# ---------------------------------------------------------------- one guest

class _Guest:
    """A booted qemu with the agent answering on a unix socket."""

    def __init__(self, kernel: Path, initrd: Path, workdir: Path, accel: str,
                 memory_mb: int, smp: int, hello_timeout_s: float):
        self.workdir = workdir
        self.console = workdir / f"console-{accel}.log"
        self.qemu_log = workdir / f"qemu-{accel}.log"
        self.accel = accel
        self.buf = b""
        self.next_id = 1
        self.lock = threading.Lock()
        self.proc: subprocess.Popen | None = None
        self.sock: socket.socket | None = None
        sock_path = workdir / f"agent-{accel}.sock"
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(str(sock_path))
            listener.listen(1)
            cmd = [
                shutil.which(QEMU) or QEMU,
                "-nodefaults", "-no-user-config", "-no-reboot",
                "-display", "none", "-monitor", "none",
                "-machine", "pc", "-accel", accel,
                "-cpu", "host" if accel == "kvm" else "max",
                "-m", str(memory_mb), "-smp", str(smp),
                "-kernel", str(kernel), "-initrd", str(initrd),
                "-append", "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init",
                "-serial", f"file:{self.console}",
                "-chardev", f"socket,id=agent,path={sock_path}",
                "-serial", "chardev:agent",
            ]
            self.command = cmd
            t0 = time.monotonic()
            with open(self.qemu_log, "wb") as log:
                self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT, start_new_session=True,
                                             preexec_fn=die_with_parent())
            listener.settimeout(hello_timeout_s)
            try:
                self.sock, _ = listener.accept()
            except socket.timeout:
                raise TargetError(f"qemu did not connect its serial port: {self.diagnostics()}") from None
            hello = self._read_reply(t0 + hello_timeout_s)
            self.boot_s = time.monotonic() - t0
            if hello.get("kind") != b"hello":
                raise TargetError(f"unexpected first message from the guest agent: {hello!r}")
            self.hello = {k: v.decode("utf-8", "replace") for k, v in hello.items()}
        except BaseException:
            self.kill()
            raise
        finally:
            listener.close()
            with contextlib.suppress(OSError):
                sock_path.unlink()

    def diagnostics(self) -> str:
        parts = []
        if self.proc is not None and self.proc.poll() is not None:
            parts.append(f"qemu exited with {self.proc.returncode}")
        for label, path in (("qemu", self.qemu_log), ("console", self.console)):
            with contextlib.suppress(OSError):
                tail = path.read_bytes()[-1500:].decode("utf-8", "replace").strip()
                if tail:
                    parts.append(f"{label}: {tail}")
        return "; ".join(parts) or "no output"

    def _read_reply(self, deadline: float) -> dict[str, bytes]:
        while True:
            reply, rest = split_reply(self.buf)
            if reply is not None:
                self.buf = rest
                return reply
            left = deadline - time.monotonic()
            if left <= 0:
                raise TargetError(f"the guest agent did not answer in time: {self.diagnostics()}")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 20)
            except socket.timeout:
                continue
            if not chunk:
                raise TargetError(f"the guest went away: {self.diagnostics()}")
            self.buf += chunk

    def request(self, cmd: str, timeout_s: float, **fields: Any) -> dict[str, bytes]:
        with self.lock:   # one request at a time on the serial line
            if self.sock is None:
                raise TargetError("guest is not running")
            rid = self.next_id
            self.next_id += 1
            fields["id"] = rid
            self.sock.sendall(encode_request(cmd, **fields))
            deadline = time.monotonic() + timeout_s
            while True:
                reply = self._read_reply(deadline)
                if reply.get("id", b"").decode() == str(rid):
                    return reply

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and self.sock is not None

    def shutdown(self, timeout_s: float = 10.0) -> None:
        """Asks the agent to power off, then makes sure qemu is gone."""
        if self.alive():
            with contextlib.suppress(Exception):
                self.request("poweroff", timeout_s)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout_s)
        self.kill()

    def kill(self) -> None:
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
            self.sock = None
        if self.proc is not None:
            if self.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, 9)
            self.proc.wait()


# ---------------------------------------------------------------- the target

def _close_quietly(ref):
    t = ref()
    if t is not None:
        with contextlib.suppress(Exception):
            t.close()


class QemuTarget(Target):
    name = "qemu"

    def __init__(self, build_dir: Path, cache_dir: Path | None = None, kernel: Path | None = None, *,
                 accel: str | None = None, memory_mb: int = 1024, smp: int = 1,
                 boot_timeout_s: float = 120.0):
        """cache_dir holds the downloaded kernel, the compiled agent and the KVM
        verdict; default $SOCKSPEC_CACHE or <build_dir>/cache.  memory_mb: 1 GiB
        is enough for the kernel to size tcp_rmem/tcp_wmem as on a normal host
        (below about 900 MiB it shrinks them, and the window scale with them)."""
        self.build_dir = Path(build_dir)
        self.cache_dir = Path(cache_dir or os.environ.get("SOCKSPEC_CACHE") or self.build_dir / "cache")
        self.kernel_arg = Path(kernel) if kernel is not None else None
        self.accel_request = (accel or os.environ.get("SOCKSPEC_QEMU_ACCEL") or "auto").lower()
        if self.accel_request not in ("auto", "tcg", "kvm"):
            raise ValueError(f"accel must be auto, tcg or kvm, not {self.accel_request!r}")
        self.memory_mb = memory_mb
        self.smp = smp
        self.boot_timeout_s = boot_timeout_s
        self._guest: _Guest | None = None
        self._workdir: Path | None = None
        self._kernel: KernelImage | None = None
        self._probes_sig: tuple | None = None
        self._boots: list[dict[str, Any]] = []
        self._env_extra: dict[str, Any] | None = None
        self._kvm_note: str | None = None
        atexit.register(_close_quietly, weakref.ref(self))

    # -- lifecycle
    def _tmp(self) -> Path:
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="sockspec-qemu-"))
        return self._workdir

    def kernel(self) -> KernelImage:
        if self._kernel is None:
            if self.kernel_arg is not None:
                if not self.kernel_arg.is_file():
                    raise TargetError(f"kernel image {self.kernel_arg} does not exist")
                self._kernel = KernelImage(self.kernel_arg.resolve(),
                                           modules_dir=modules_for_image(self.kernel_arg.resolve()))
            else:
                self._kernel = default_kernel(self.cache_dir)
        return self._kernel

    def _kvm_verdict_path(self, kernel: Path) -> Path:
        key = f"{os.uname().release}|{qemu_version()}|{kernel}|{kernel.stat().st_size}"
        return self.cache_dir / f"kvm-check-{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"

    def _boot(self) -> None:
        qemu_version()  # raises a clear error when qemu is missing
        builder = load_guest_builder()
        kernel = self.kernel()
        work = self._tmp()
        initrd = work / "initramfs.cpio"
        try:
            self._probes_sig = builder.probes_signature(self.build_dir)
            manifest = builder.build_initramfs(self.build_dir, self.cache_dir, initrd,
                                               modules=self._modules(kernel))
        except builder.BuildError as e:
            raise TargetError(f"building the guest initramfs: {e}") from e
        guest = None
        accel = self.accel_request
        if accel == "auto":
            accel = "tcg"
            if kvm_usable():
                verdict_path = self._kvm_verdict_path(kernel.path)
                verdict = None
                with contextlib.suppress(OSError, ValueError):
                    verdict = json.loads(verdict_path.read_text())
                if verdict is None or verdict.get("works"):
                    check_started = time.monotonic()
                    try:
                        guest = _Guest(kernel.path, initrd, work, "kvm", self.memory_mb,
                                       self.smp, KVM_CHECK_TIMEOUT_S)
                        accel = "kvm"
                        self._kvm_note = "KVM check passed: the guest booted under KVM"
                    except TargetError as e:
                        self._kvm_note = (f"KVM check failed after {time.monotonic() - check_started:.1f} s, "
                                          f"using TCG: {str(e)[:300]}")
                    verdict_path.parent.mkdir(parents=True, exist_ok=True)
                    verdict_path.write_text(json.dumps({"works": guest is not None,
                                                        "note": self._kvm_note}))
                else:
                    self._kvm_note = f"KVM skipped: an earlier check failed ({verdict_path.name})"
            else:
                self._kvm_note = "KVM skipped: /dev/kvm cannot be opened"
        if guest is None:
            guest = _Guest(kernel.path, initrd, work, accel, self.memory_mb, self.smp,
                           self.boot_timeout_s)
        self._guest = guest
        self._boots.append({"accel": accel, "boot_s": round(guest.boot_s, 3),
                            "initramfs_bytes": manifest["size"], "probes": manifest["probes"],
                            "modules": manifest.get("modules")})
        with contextlib.suppress(OSError):
            initrd.unlink()

    def _modules(self, kernel: KernelImage) -> dict[str, list[Path]]:
        boot = resolve_modules(kernel.modules_dir, self.cache_dir, BOOT_MODULES)
        faults = [ko for ko in resolve_modules(kernel.modules_dir, self.cache_dir, FAULT_MODULES)
                  if ko not in boot]
        return {"boot": boot, "faults": faults}

    def _ensure_guest(self) -> _Guest:
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
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    # -- the contract
    def run(self, invocation: Invocation) -> RunRecord:
        probe = self.build_dir / "probes" / invocation.probe
        if not probe.is_file():
            raise TargetError(f"qemu: no probe {probe}")
        if self._guest is not None:
            builder = load_guest_builder()
            if builder.probes_signature(self.build_dir) != self._probes_sig:
                self._guest.shutdown()   # probes were rebuilt: boot a guest that has them
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
        return record_from_reply(reply, invocation, self.name, self._tmp())

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
        script = 'for k in "$@"; do f=/proc/sys/$(echo "$k" | tr . /); ' \
                 'if [ -r "$f" ]; then printf "%s=%s\\n" "$k" "$(cat "$f")"; fi; done'
        r = self.guest_command(["/bin/busybox", "sh", "-c", script, "sh", *keys], netns=True)
        found = dict(line.split("=", 1) for line in r.get("stdout", "").splitlines() if "=" in line)
        return {k: " ".join(found[k].split()) if k in found else None for k in keys}

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

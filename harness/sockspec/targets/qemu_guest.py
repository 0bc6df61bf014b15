"""One qemu process booted with the project's initramfs, and the agent in it
answering on a virtio serial port (a unix socket on this side), or on the
guest's second serial port where the kernel has no virtio console. The first
serial port is the kernel console, kept in a log for error messages.

The virtio port is the default because an emulated 16550 costs about 2 us of
guest CPU per byte, one trap per byte: a 100 kB reply (a run's pcap and
events) took 208 ms of the guest's time over it, 14 ms over virtio."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from ..errors import TargetError
from ..processes import die_with_parent
from .guest_agent import encode_request, split_reply

QEMU = "qemu-system-x86_64"
AGENT_PORT = "sockspec.agent"   # the virtio serial port's name, which the guest's init looks up


def qemu_version() -> str:
    exe = shutil.which(QEMU)
    if not exe:
        raise TargetError(f"{QEMU} not found (apt-get install qemu-system-x86)")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
    return out.splitlines()[0].strip() if out else "unknown"


class Guest:
    """A booted qemu with the agent answering on a unix socket."""

    def __init__(self, kernel: Path, initrd: Path, workdir: Path, accel: str,
                 memory_mb: int, smp: int, hello_timeout_s: float, virtio_channel: bool = True):
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
            # Under TCG most of a probe run's CPU went to translating code: qemu
            # keys its translation cache by virtual address, so with address
            # space randomisation every process's ld.so, libc and tcpdump were
            # translated afresh ("norandmaps" lets the next process reuse them),
            # and "-cpu max" has glibc and libcrypto pick vector code that TCG
            # emulates slowly (qemu64 is the baseline x86-64 the probes are
            # built for). A captured run of tcp_handshake: 318 ms of qemu CPU
            # before, 115 ms after.
            cmd = [
                shutil.which(QEMU) or QEMU,
                "-nodefaults", "-no-user-config", "-no-reboot",
                "-display", "none", "-monitor", "none",
                "-machine", "pc", "-accel", accel,
                "-cpu", "host" if accel == "kvm" else "qemu64",
                "-m", str(memory_mb), "-smp", str(smp),
                "-kernel", str(kernel), "-initrd", str(initrd),
                "-append", "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init norandmaps "
                           + ("sockspec.agent=virtio:" + AGENT_PORT if virtio_channel else "sockspec.agent=/dev/ttyS1"),
                "-serial", f"file:{self.console}",
                "-chardev", f"socket,id=agent,path={sock_path}",
            ]
            if virtio_channel:
                cmd += ["-device", "virtio-serial-pci,id=agentbus",
                        "-device", f"virtserialport,bus=agentbus.0,chardev=agent,name={AGENT_PORT}"]
            else:
                cmd += ["-serial", "chardev:agent"]
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
                raise TargetError(f"qemu did not connect the agent's channel: {self.diagnostics()}") from None
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
        with self.lock:   # one request at a time on the channel
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

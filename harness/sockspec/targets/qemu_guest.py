"""One qemu process booted with the project's initramfs, and the agent in it
answering on a virtio serial port, or on the guest's second serial port where
the kernel has no virtio console driver (a unix socket on this side for each;
the agent's hello says which it took). The first serial port is the kernel
console, kept in a log for error messages.

The virtio port comes first because an emulated 16550 traps once per byte:
about 2 us of guest CPU each, so a run's reply (its pcap and events, tens of
kB) cost the guest tens of milliseconds over the UART."""
from __future__ import annotations

import contextlib
import os
import select
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from ..errors import TargetError
from ..processes import die_with_parent
from .guest_agent import AgentLink, split_reply

QEMU = "qemu-system-x86_64"
AGENT_PORT = "sockspec.agent"   # the virtio serial port's name, which the guest's agent looks up
CHANNELS = ("virtio", "serial")


def qemu_version() -> str:
    exe = shutil.which(QEMU)
    if not exe:
        raise TargetError(f"{QEMU} not found (apt-get install qemu-system-x86)")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
    return out.splitlines()[0].strip() if out else "unknown"


class Guest:
    """A booted qemu with the agent answering on a unix socket."""

    def __init__(self, kernel: Path, initrd: Path, workdir: Path, accel: str,
                 memory_mb: int, smp: int, hello_timeout_s: float):
        self.workdir = workdir
        self.console = workdir / f"console-{accel}.log"
        self.qemu_log = workdir / f"qemu-{accel}.log"
        self.accel = accel
        self.proc: subprocess.Popen | None = None
        self.link: AgentLink | None = None
        paths = {channel: workdir / f"agent-{accel}-{channel}.sock" for channel in CHANNELS}
        listeners = {channel: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for channel in CHANNELS}
        connected: dict[str, socket.socket] = {}
        try:
            for channel, listener in listeners.items():
                listener.bind(str(paths[channel]))
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
                "-append", "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init norandmaps",
                "-serial", f"file:{self.console}",
                "-chardev", f"socket,id=agent-virtio,path={paths['virtio']}",
                "-device", "virtio-serial-pci,id=agentbus",
                "-device", f"virtserialport,bus=agentbus.0,chardev=agent-virtio,name={AGENT_PORT}",
                "-chardev", f"socket,id=agent-serial,path={paths['serial']}",
                "-serial", "chardev:agent-serial",
            ]
            self.command = cmd
            t0 = time.monotonic()
            with open(self.qemu_log, "wb") as log:
                self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT, start_new_session=True,
                                             preexec_fn=die_with_parent())
            for channel, listener in listeners.items():
                listener.settimeout(max(0.0, t0 + hello_timeout_s - time.monotonic()))
                try:
                    connected[channel], _ = listener.accept()
                except socket.timeout:
                    raise TargetError(f"qemu did not connect the agent's {channel} channel: "
                                      f"{self.diagnostics()}") from None
            self.channel, hello, rest = self._first_hello(connected, t0 + hello_timeout_s)
            sock = connected.pop(self.channel)
            self.link = AgentLink(sock.fileno(), sock.fileno(), sock.close, self.diagnostics, rest)
            self.boot_s = time.monotonic() - t0
            if hello.get("kind") != b"hello":
                raise TargetError(f"unexpected first message from the guest agent: {hello!r}")
            self.hello = {k: v.decode("utf-8", "replace") for k, v in hello.items()}
        except BaseException:
            self.kill()
            raise
        finally:
            for s in [*listeners.values(), *connected.values()]:
                s.close()
            for path in paths.values():
                with contextlib.suppress(OSError):
                    path.unlink()

    def _first_hello(self, connected: dict[str, socket.socket],
                     deadline: float) -> tuple[str, dict[str, bytes], bytes]:
        """The channel the agent chose, its hello (the first whole reply on
        any), and what followed the hello."""
        bufs = {channel: b"" for channel in connected}
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TargetError(f"the guest agent did not answer in time: {self.diagnostics()}")
            readable, _, _ = select.select(list(connected.values()), [], [], left)
            for channel, sock in connected.items():
                if sock not in readable:
                    continue
                chunk = sock.recv(1 << 20)
                if not chunk:
                    raise TargetError(f"the guest went away: {self.diagnostics()}")
                bufs[channel] += chunk
                reply, rest = split_reply(bufs[channel])
                if reply is not None:
                    return channel, reply, rest

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

    @property
    def next_id(self) -> int:
        return self.link.next_id if self.link is not None else 1

    def request(self, cmd: str, timeout_s: float, **fields: Any) -> dict[str, bytes]:
        if self.link is None:
            raise TargetError("guest is not running")
        return self.link.request(cmd, timeout_s, **fields)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and self.link is not None and self.link.open

    def shutdown(self, timeout_s: float = 10.0) -> None:
        """Asks the agent to power off, then makes sure qemu is gone."""
        if self.alive():
            with contextlib.suppress(Exception):
                self.request("poweroff", timeout_s)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout_s)
        self.kill()

    def kill(self) -> None:
        if self.link is not None:
            self.link.close()
            self.link = None
        if self.proc is not None:
            if self.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, 9)
            self.proc.wait()

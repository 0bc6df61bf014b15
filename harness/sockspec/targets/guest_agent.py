"""The guest agent's protocol (harness/guest/agent.c), which both guest
targets speak: qemu over the guest's second serial port, gvisor over a
sandbox's stdin and stdout.

A request is `SOCKSPEC-REQ <len>\\n` and NUL-terminated `key=value` fields; a
reply is `\\nSOCKSPEC-REPLY <len>\\n` and (name, length, bytes) fields.  A run
request names the program, its sysctls and the capture; its reply carries the
exit code, stdout, stderr and the pcap bytes, which become a RunRecord here.
"""
from __future__ import annotations

import contextlib
import importlib.util
import os
import select
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

from .. import capture, probe_output, sysctl
from ..errors import ProbeOutputError, SysctlUnavailable, TargetError
from ..paths import REPO
from .base import Invocation, RunRecord

GUEST_DIR = REPO / "harness" / "guest"

# Prints key=value for each sysctl key given as an argument that exists
# (run by the guest's shell: busybox in qemu, /bin/sh in the sandbox).
READ_SYSCTLS_SCRIPT = ('for k in "$@"; do f=/proc/sys/$(echo "$k" | tr . /); '
                       'if [ -r "$f" ]; then printf "%s=%s\\n" "$k" "$(cat "$f")"; fi; done')


class SysctlError(SysctlUnavailable):
    """A sysctl of the invocation could not be set in the run's namespace."""


def load_guest_builder():
    """harness/guest/build.py, imported by path (it is not in a package)."""
    spec = importlib.util.spec_from_file_location("sockspec_guest_build", GUEST_DIR / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


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


class AgentLink:
    """A serving agent's channel: one request at a time, each reply matched to
    its request by id.  Replies are read from `reader` and requests written
    to `writer` (file descriptors: the same socket for a qemu guest, two pipes
    for a gVisor sandbox); `close` releases them.  `diagnostics` says what the
    other side left behind (logs, exit status) when it stops answering."""

    def __init__(self, reader: int, writer: int, close: Callable[[], None],
                 diagnostics: Callable[[], str], buffered: bytes = b""):
        self.reader, self.writer = reader, writer
        self._close = close
        self.open = True
        self.diagnostics = diagnostics
        self.buf = buffered
        self.next_id = 1
        self.lock = threading.Lock()

    def read_reply(self, deadline: float) -> dict[str, bytes]:
        while True:
            reply, rest = split_reply(self.buf)
            if reply is not None:
                self.buf = rest
                return reply
            left = deadline - time.monotonic()
            if left <= 0:
                raise TargetError(f"the agent did not answer in time: {self.diagnostics()}")
            readable, _, _ = select.select([self.reader], [], [], left)
            if not readable:
                continue
            try:
                chunk = os.read(self.reader, 1 << 20)
            except BlockingIOError:
                continue
            if not chunk:
                raise TargetError(f"the agent went away: {self.diagnostics()}")
            self.buf += chunk

    def _write(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            _, writable, _ = select.select([], [self.writer], [], max(0.0, deadline - time.monotonic()))
            if not writable:
                raise TargetError(f"the agent took no request in time: {self.diagnostics()}")
            try:
                view = view[os.write(self.writer, view):]
            except BlockingIOError:
                continue

    def request(self, cmd: str, timeout_s: float, **fields: Any) -> dict[str, bytes]:
        with self.lock:
            if not self.open:
                raise TargetError("the agent's channel is closed")
            rid = self.next_id
            self.next_id += 1
            fields["id"] = rid
            deadline = time.monotonic() + timeout_s
            self._write(encode_request(cmd, **fields), deadline)
            while True:
                reply = self.read_reply(deadline)
                if reply.get("id", b"").decode() == str(rid):
                    return reply

    def close(self) -> None:
        if self.open:
            self.open = False
            with contextlib.suppress(OSError):
                self._close()


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
        "capture_arg": capture.tcpdump_flags() if capturer == "tcpdump" else [],
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


def sysctls_from_output(stdout: str, keys: list[str]) -> dict[str, str | None]:
    """READ_SYSCTLS_SCRIPT's output as a value per key (None: not in this kernel)."""
    found = dict(line.split("=", 1) for line in stdout.splitlines() if "=" in line)
    return {k: " ".join(found[k].split()) if k in found else None for k in keys}

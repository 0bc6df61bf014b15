"""tcpdump inside a namespace: started and confirmed listening before the probe
runs, stopped only once everything the probe sent is in the file.

Both waits are on events, not polls: the "listening on" line arrives on a
pipe, and the pcap's growth wakes an inotify watch."""
from __future__ import annotations

import contextlib
import ctypes
import os
import re
import select
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from .errors import SockspecError
from .marker import MARKER, MARKER_PORT
from .netns import NetNS, in_netns

_libc = ctypes.CDLL(None, use_errno=True)
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0


# Headers and the first bytes of payload are all the suites read (lengths come
# from the IP header). The ring is counted in packets, not bytes: in immediate
# mode libpcap (1.10) uses TPACKET_V2, one packet per frame, each frame
# TPACKET_ALIGN(88 + snaplen) bytes in a page-multiple block of its own. With
# -s 0 a frame took 256 KiB, so a 2 MiB buffer held 8 packets and a tcpdump
# descheduled for a few milliseconds on a loaded machine lost some ("dropped by
# kernel"). With -s 2048 a frame is 2144 bytes in a 4 KiB block: 4 MiB makes
# 1957 frames against at most about 210 packets in any host run. A bigger ring costs
# every start: the kernel zeroes it, and libpcap's setfilter reads the status of
# every frame, one page each (16 MiB, 7826 frames: 14-18 ms more of tcpdump's CPU).
SNAPLEN = 2048
BUFFER_KIB = 4096


def tcpdump_flags() -> list[str]:
    """Every tcpdump flag but the output file: the host target and the qemu
    guest's agent (which gets them in each run request) capture alike."""
    # --immediate-mode: without it packets sit in the kernel buffer and a stop
    # within about a second loses them. -Z root: keep writing where we ask.
    # -i any: loopback and the scripted peer's tun device, which the probe
    # creates after the capture started (a capture on "any" sees interfaces
    # that appear later; one on a named interface cannot start before it
    # exists). Linux cooked v2 headers, which Wireshark and dpkt read; libpcap
    # drops loopback's outgoing copy, so each packet is there once.
    return ["-i", "any", "-n", "-U", "--immediate-mode", "--time-stamp-precision=nano",
            "-s", str(SNAPLEN), "-B", str(BUFFER_KIB), "-Z", "root"]


def tcpdump_argv(pcap: Path) -> list[str]:
    return ["tcpdump", *tcpdump_flags(), "-w", str(pcap)]


class _Inotify:
    """One inotify instance, closed when its thread ends. Closing an instance
    waits for an SRCU grace period, which other processes' file-change
    traffic stretches (0.06 ms idle on 6.18, 3.8 ms with two writers of
    watched files running, as parallel workers are), so a thread keeps one
    and adds and removes a watch per capture instead."""

    IN_NONBLOCK_CLOEXEC = os.O_NONBLOCK | os.O_CLOEXEC

    def __init__(self):
        self.fd = _libc.inotify_init1(self.IN_NONBLOCK_CLOEXEC)
        if self.fd < 0:
            raise SockspecError(f"inotify_init1: {os.strerror(ctypes.get_errno())}")

    def drain(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while os.read(self.fd, 4096):
                pass

    def __del__(self):
        os.close(self.fd)


_per_thread = threading.local()


class FileGrowth:
    """Wakes when a file is written (inotify), so waiting for bytes to reach it
    costs no polling: a wait returns as soon as tcpdump's write lands. The
    watch is on this thread's inotify instance (see _Inotify)."""

    IN_MODIFY = 0x2

    def __init__(self, path: Path):
        if not hasattr(_per_thread, "inotify"):
            _per_thread.inotify = _Inotify()
        self._inotify = _per_thread.inotify
        self.fd = self._inotify.fd
        # What an earlier watch left queued (its last writes, IN_IGNORED) would only wake a wait early.
        self._inotify.drain()
        self.wd = _libc.inotify_add_watch(self.fd, str(path).encode(), self.IN_MODIFY)
        if self.wd < 0:
            raise SockspecError(f"inotify on {path}: {os.strerror(ctypes.get_errno())}")

    def wait(self, timeout_s: float) -> None:
        """Returns after the next write (or one since the last wait), or after timeout_s."""
        if select.select([self.fd], [], [], max(timeout_s, 0))[0]:
            self._inotify.drain()

    def close(self) -> None:
        # Removing a watch frees its mark after the grace period without waiting for it.
        _libc.inotify_rm_watch(self.fd, self.wd)


class Capture:
    def __init__(self, ns: NetNS, pcap: Path):
        self.ns = ns
        self.pcap = pcap
        pcap.parent.mkdir(parents=True, exist_ok=True)
        # tcpdump's stderr is a pipe: its "listening on" line wakes us the
        # moment it is written; its closing counts are read at the end.
        self._log_bytes = b""
        self.proc = subprocess.Popen(ns.enter_argv(tcpdump_argv(pcap), pdeathsig=signal.SIGKILL),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while b"listening on" not in self._log_bytes:
                if not self._read_log(deadline):
                    self._fail("start listening", START_TIMEOUT_S)
        except BaseException:
            self._kill()
            raise

    def _read_log(self, deadline: float) -> bool:
        """Reads what tcpdump wrote to stderr, waiting until deadline; False at its end or the deadline."""
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([self.proc.stderr], [], [], left)[0]:
            return False
        chunk = os.read(self.proc.stderr.fileno(), 65536)
        self._log_bytes += chunk
        return bool(chunk)

    def _log(self) -> bytes:
        return self._log_bytes

    def _fail(self, what: str, timeout_s: float) -> None:
        if self.proc.poll() is not None:
            raise SockspecError(f"tcpdump exited ({self.proc.returncode}) before it could {what}: "
                                f"{self._log().decode(errors='replace').strip()}")
        raise SockspecError(f"tcpdump did not {what} within {timeout_s:.0f} s")

    def _send_marker(self) -> None:
        def send() -> None:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.sendto(MARKER, ("127.0.0.1", MARKER_PORT))

        in_netns(self.ns.name, send)

    def _wait_for_marker(self) -> None:
        """Reads the pcap as it grows (only what is new) until the marker is in it."""
        growth = FileGrowth(self.pcap)
        try:
            deadline = time.monotonic() + STOP_TIMEOUT_S
            self._send_marker()
            with open(self.pcap, "rb") as f:
                seen = b""
                while True:
                    seen = seen[-len(MARKER):] + f.read()
                    if MARKER in seen:
                        return
                    if self.proc.poll() is not None or time.monotonic() > deadline:
                        self._fail("write the end-of-capture marker", STOP_TIMEOUT_S)
                    growth.wait(deadline - time.monotonic())
        finally:
            growth.close()

    def stop(self) -> dict[str, int]:
        """Flushes and stops; returns tcpdump's closing counts (captured,
        received by filter, dropped by kernel)."""
        try:
            self._wait_for_marker()
            os.killpg(self.proc.pid, signal.SIGINT)
            # tcpdump prints its counts once its capture loop has stopped, so
            # the file holds all it will; closing the capture socket then
            # takes it tens of milliseconds more (an RCU grace period), which
            # nothing here needs to wait for.
            deadline = time.monotonic() + STOP_TIMEOUT_S
            while not re.search(rb"packets? dropped by kernel\n", self._log_bytes):
                if not self._read_log(deadline):
                    break
            log = self._log().decode(errors="replace")
            if "dropped by kernel" not in log:
                self.proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        finally:
            self._kill(reap_later=True)
        stats = {}
        for key, pattern in (("captured", r"(\d+) packets? captured"), ("received", r"(\d+) packets? received by filter"),
                             ("dropped", r"(\d+) packets? dropped by kernel")):
            m = re.search(pattern, log)
            if m:
                stats[key] = int(m.group(1))
        return stats

    def _kill(self, reap_later: bool = False) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            if reap_later:
                threading.Thread(target=self.proc.wait, name="reap-tcpdump", daemon=True).start()
            else:
                self.proc.wait()
        if self.proc.stderr is not None:
            self.proc.stderr.close()

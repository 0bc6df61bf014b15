"""tcpdump inside a namespace: started and confirmed listening before the probe
runs, stopped only once everything the probe sent is in the file."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

from .errors import SockspecError
from .marker import MARKER, MARKER_PORT
from .netns import NetNS, in_netns
from .processes import die_with_parent

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0


# Headers and the first bytes of payload are all the suites read (lengths come
# from the IP header). A small snapshot length also keeps the kernel's capture
# ring from overflowing: libpcap sizes TPACKET_V3 blocks from it, and in
# immediate mode each block may be handed over holding a single packet, so with
# -s 0 (256 KiB blocks, 8 in a 2 MiB buffer) a tcpdump descheduled for a few
# milliseconds on a loaded machine lost packets ("dropped by kernel").
SNAPLEN = 2048
BUFFER_KIB = 16384


def tcpdump_argv(pcap: Path) -> list[str]:
    # --immediate-mode: without it packets sit in the kernel buffer and a stop
    # within about a second loses them. -Z root: keep writing where we ask.
    # -i any: loopback and the scripted peer's tun device, which the probe
    # creates after the capture started (a capture on "any" sees interfaces
    # that appear later; one on a named interface cannot start before it
    # exists). Linux cooked v2 headers, which Wireshark and dpkt read; libpcap
    # drops loopback's outgoing copy, so each packet is there once.
    return ["tcpdump", "-i", "any", "-n", "-U", "--immediate-mode", "--time-stamp-precision=nano",
            "-s", str(SNAPLEN), "-B", str(BUFFER_KIB), "-Z", "root", "-w", str(pcap)]


class Capture:
    def __init__(self, ns: NetNS, pcap: Path):
        self.ns = ns
        self.pcap = pcap
        pcap.parent.mkdir(parents=True, exist_ok=True)
        self._stderr_path = pcap.with_suffix(".tcpdump.log")
        self._stderr = open(self._stderr_path, "w+b")
        self.proc = subprocess.Popen(ns.exec_argv(tcpdump_argv(pcap)), stdout=subprocess.DEVNULL,
                                     stderr=self._stderr, start_new_session=True, preexec_fn=die_with_parent())
        try:
            self._wait_for(lambda: b"listening on" in self._log(), START_TIMEOUT_S, "start listening")
        except BaseException:
            self._kill()
            raise

    def _log(self) -> bytes:
        return self._stderr_path.read_bytes()

    def _wait_for(self, condition, timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        delay = 0.0005
        while not condition():
            if self.proc.poll() is not None:
                raise SockspecError(f"tcpdump exited ({self.proc.returncode}) before it could {what}: "
                                    f"{self._log().decode(errors='replace').strip()}")
            if time.monotonic() > deadline:
                raise SockspecError(f"tcpdump did not {what} within {timeout_s:.0f} s")
            time.sleep(delay)
            delay = min(delay * 2, 0.02)

    def _send_marker(self) -> None:
        def send() -> None:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.sendto(MARKER, ("127.0.0.1", MARKER_PORT))

        in_netns(self.ns.name, send)

    def _marker_written(self) -> bool:
        try:
            return MARKER in self.pcap.read_bytes()
        except FileNotFoundError:
            return False

    def stop(self) -> dict[str, int]:
        """Flushes and stops; returns tcpdump's closing counts (captured,
        received by filter, dropped by kernel)."""
        try:
            self._send_marker()
            self._wait_for(self._marker_written, STOP_TIMEOUT_S, "write the end-of-capture marker")
            os.killpg(self.proc.pid, signal.SIGINT)
            self.proc.wait(timeout=STOP_TIMEOUT_S)
            log = self._log().decode(errors="replace")
        finally:
            self._kill()
        stats = {}
        for key, pattern in (("captured", r"(\d+) packets? captured"), ("received", r"(\d+) packets? received by filter"),
                             ("dropped", r"(\d+) packets? dropped by kernel")):
            m = re.search(pattern, log)
            if m:
                stats[key] = int(m.group(1))
        return stats

    def _kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        self._stderr.close()
        self._stderr_path.unlink(missing_ok=True)

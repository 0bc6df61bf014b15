"""The host target: this machine's kernel, a fresh network namespace per run."""
from __future__ import annotations

import os
import platform
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from .. import faults as fault_rules
from .. import probe_output
from ..capture import Capture
from ..environment import RELEVANT_SYSCTLS, tool_versions
from ..netns import NetNS
from ..paths import probe_path
from .base import Invocation, RunRecord, Target, TargetError


class HostTarget(Target):
    name = "host"

    def __init__(self, build: Path):
        self.build = build

    def environment(self) -> dict[str, Any]:
        uname = platform.uname()
        with NetNS() as ns:
            sysctls = ns.read_sysctls(RELEVANT_SYSCTLS)
        return {
            "target": self.name,
            "kernel_release": uname.release,
            "kernel_version": uname.version,
            "machine": uname.machine,
            "sysctls": sysctls,
            **tool_versions(self.build),
        }

    def run(self, invocation: Invocation) -> RunRecord:
        binary = probe_path(invocation.probe, self.build)
        if not binary.exists():
            raise TargetError(f"no probe {invocation.probe!r} at {binary} (build first: cmake --build build)")
        pcap = invocation.pcap_path
        if invocation.capture and pcap is None:
            pcap = Path(tempfile.mkdtemp(prefix="sockspec-")) / f"{invocation.probe}.pcap"
        started = time.monotonic()
        with NetNS(invocation.sysctls, build=self.build) as ns:
            if invocation.faults:
                fault_rules.install(ns, invocation.faults)
            capture = Capture(ns, pcap) if invocation.capture else None
            try:
                proc = subprocess.Popen(ns.enter_argv([str(binary), "--json", *invocation.args],
                                                      pdeathsig=signal.SIGKILL),
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        start_new_session=True)
                try:
                    stdout, stderr = proc.communicate(timeout=invocation.timeout_s)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    stdout, stderr = proc.communicate()
                    raise TargetError(f"probe {invocation.command_line()} did not finish in "
                                      f"{invocation.timeout_s:.0f} s") from None
                finally:
                    if proc.poll() is None:
                        os.killpg(proc.pid, signal.SIGKILL)
                        proc.wait()
                if capture:
                    stats = capture.stop()
                    capture = None
                    if stats.get("dropped"):
                        raise TargetError(f"tcpdump lost {stats['dropped']} packets (dropped by kernel): the capture "
                                          f"of {invocation.command_line()} is incomplete")
            finally:
                if capture:
                    capture._kill()
        events, observations = probe_output.parse(stdout)
        return RunRecord(invocation=invocation, target=self.name, exit_code=proc.returncode,
                         events=events, observations=observations, pcap=pcap if invocation.capture else None,
                         stderr=stderr, duration_s=time.monotonic() - started)

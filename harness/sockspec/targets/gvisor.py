"""The gVisor target: probes run on gVisor's netstack under Debian's runsc.

The sandboxes are `runsc --rootless --network=none --net-raw do` (netstack,
with only loopback).  What runs inside is the static agent
(harness/guest/agent.c): for each run it makes a network namespace, writes the
sysctls under /proc/sys, starts a capture, runs the probe, stops the capture
with the end marker, and replies (exit code, stdout, stderr, pcap bytes).  One
sandbox serves the target's runs, each in a namespace of its own; a run that
sets sysctls gets a sandbox of its own instead, and so does every run on a
runsc that cannot give a new namespace loopback routes (2022): gvisor_sandbox.py
and _serving() say why.

Capture: tcpdump cannot run in the sandbox (libpcap 1.10 needs PACKET_MMAP,
which gVisor's packet sockets lack; promiscuous mode is refused too), and
runsc's --pcap-log only wraps the sandbox's external NICs, never loopback (and
with --network=none there is none).  gVisor does deliver loopback packets to a
plain AF_PACKET socket, so the agent captures with one (needs --net-raw),
keeping one copy of each packet as libpcap does, into a nanosecond pcap.
Timestamps are the netstack's own arrival stamps (SO_TIMESTAMP, microseconds:
gVisor sends no SO_TIMESTAMPNS control message on packet sockets).  If that
capture fails on some runsc, runs go on without one: RunRecord.pcap is None and
wire_unavailable says why, so suites skip their wire checks only.

Fault injection: gVisor's netstack has no nftables, so runs with faults raise
FaultsUnsupported (a TargetError).  A sysctl gVisor does not have raises
SysctlError (a TargetError) naming it.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from ..environment import RELEVANT_SYSCTLS, tool_versions
from .base import Invocation, RunRecord, Target, TargetError, Unsupported, close_at_exit
from .guest_agent import (READ_SYSCTLS_SCRIPT, SysctlError, load_guest_builder, record_from_reply,
                          run_fields, sysctls_from_output)
from .gvisor_sandbox import ServingSandbox, kill_sandbox, run_once

__all__ = ["GvisorTarget", "FaultsUnsupported", "SysctlError"]

CAPTURE_METHOD = ("AF_PACKET socket on lo inside the sandbox (sockspec-agent capture, "
                  "one copy per packet as libpcap keeps; netstack SO_TIMESTAMP stamps, "
                  "microsecond resolution)")
TCPDUMP_UNAVAILABLE = ("tcpdump cannot run in gVisor: libpcap needs PACKET_MMAP, which "
                       "gVisor's packet sockets do not implement")
PEER_UNCAPTURED = ("no capture of the scripted peer in gVisor: the agent's packet socket captures loopback "
                   "only, and the peer's tun device is made by the probe after the capture started")

NO_SOCK_DIAG = ("gVisor has no sock_diag, and its /proc/net/tcp lists only sockets a process holds "
                "(no TIME-WAIT, request or unaccepted sockets), so nothing else shows them")
PCAP_LOG_NOTE = "runsc --pcap-log logs only the sandbox's external NICs, never loopback"


# A probe that exits 1 (the environment stopped it) with one of these errnos
# met something gVisor does not implement (e.g. sock_diag: EPROTONOSUPPORT).
UNIMPLEMENTED = re.compile(r"\b(EPROTONOSUPPORT|ENOSYS|EOPNOTSUPP|ENOPROTOOPT|EAFNOSUPPORT)\b")


class FaultsUnsupported(Unsupported):
    """The target cannot inject packet faults (no nftables in gVisor's netstack)."""



class GvisorTarget(Target):
    name = "gvisor"

    def __init__(self, build_dir: Path, cache_dir: Path | None = None, *,
                 runsc: str | None = None, release: str | None = None, platform: str | None = None,
                 rootless: bool = True, capture: bool = True):
        """cache_dir holds the compiled agent (default $SOCKSPEC_CACHE or
        <build_dir>/cache).  platform: runsc's --platform (ptrace works here;
        kvm hangs on this machine's /dev/kvm).  capture=False never captures."""
        self.build_dir = Path(build_dir)
        self.cache_dir = Path(cache_dir or os.environ.get("SOCKSPEC_CACHE") or self.build_dir / "cache")
        # release ("2022", "2024"): a runsc from Debian's archive, unpacked into
        # the cache (debian_archive); otherwise the installed one.
        self.release = release
        self._runsc = runsc
        self._package_version: str | None = None
        # ptrace works here for the 2022 runsc (kvm hangs on this machine's
        # /dev/kvm); the 2024 one refuses ptrace rootless and defaults to systrap.
        self.platform = platform or ("systrap" if release == "2024" else "ptrace")
        self.rootless = rootless
        self._capture_reason: str | None = None if capture else "capture disabled for this target"
        self._agent: Path | None = None
        self._info: dict[str, str] | None = None
        self._env: dict[str, Any] | None = None
        self._procs: set[subprocess.Popen] = set()     # one-shot sandboxes while they run
        self._sandbox: ServingSandbox | None = None
        self.runs_unshared: str | None = None   # why runs cannot share a sandbox, once found
        # (key, value) sysctls this runsc set, and those it refused with the agent's error
        self._sysctls_set: set[tuple[str, str]] = set()
        self._sysctls_refused: dict[tuple[str, str], str] = {}
        self.sandbox_starts: list[float] = []   # seconds to each serving sandbox's hello
        self.overheads: list[float] = []     # host seconds per run minus the probe's own time
        close_at_exit(self)

    @property
    def runsc(self) -> str:
        if self._runsc is None:
            if self.release is None:
                self._runsc = shutil.which("runsc") or "/usr/bin/runsc"
            else:
                from ..debian_archive import ArchiveError, DebianArchive, fetch_runsc
                try:
                    self._package_version, binary = fetch_runsc(DebianArchive(self.build_dir / "apt"),
                                                                self.release, self.cache_dir)
                except ArchiveError as e:
                    raise TargetError(f"gvisor:{self.release}: no runsc: {e}") from e
                self._runsc = str(binary)
        return self._runsc

    # -- plumbing
    def agent(self) -> Path:
        if self._agent is None:
            builder = load_guest_builder()
            try:
                self._agent = builder.build_agent(self.cache_dir)
            except builder.BuildError as e:
                raise TargetError(f"gvisor: {e}") from e
        return self._agent

    def runsc_argv(self, agent_mode: list[str], panic_log: Path | None = None) -> list[str]:
        if not os.path.exists(self.runsc):
            raise TargetError(f"gvisor: {self.runsc} not found (apt-get install runsc)")
        state = self.workdir() / "state"
        state.mkdir(exist_ok=True)
        argv = [self.runsc]
        if self.rootless:
            argv.append("--rootless")
        argv += ["--network=none", "--net-raw", f"--platform={self.platform}", f"--root={state}"]
        if panic_log is not None:
            argv.append(f"--panic-log={panic_log}")
        return [*argv, "do", str(self.agent()), *agent_mode]

    def _panic_log(self) -> Path:
        """A sentry that panics exits without a word on stderr; its panic goes here."""
        return Path(tempfile.mkstemp(prefix="panic-", suffix=".log", dir=self.workdir())[1])

    def _exchange(self, cmd: str, timeout_s: float, *, own_sandbox: bool = False, isolated: bool = False,
                  **fields: Any) -> dict[str, bytes]:
        """The agent's reply, from the worker's serving sandbox or, with
        own_sandbox (or where runs cannot share one), a sandbox of its own.
        isolated: the request runs in a network namespace nothing else used."""
        sandbox = None if own_sandbox else self._serving()
        if sandbox is None:
            panic_log = self._panic_log()
            try:
                return run_once(self.runsc_argv(["once"], panic_log), self.workdir(), panic_log, cmd,
                                timeout_s, self._procs, **fields, netns=0)
            finally:
                panic_log.unlink(missing_ok=True)
        try:
            return sandbox.request(cmd, timeout_s, **fields, netns=int(isolated), loopback_routes=int(isolated))
        except TargetError:
            self._sandbox = None      # killed by request(): a wedged sandbox is not reused
            raise

    def _serving(self) -> ServingSandbox | None:
        """The worker's serving sandbox, started on first use; None where a
        namespace made in it cannot get the loopback routes runsc gives the
        sandbox's first one (runsc 2022 has no RTM_NEWROUTE, and refuses
        abstract Unix addresses there too): then each run has a sandbox of its own."""
        if self.runs_unshared is not None:
            return None
        if self._sandbox is not None and not self._sandbox.alive():
            self._sandbox.kill()
            self._sandbox = None
        if self._sandbox is None:
            panic_log = self._panic_log()
            try:
                sandbox = ServingSandbox(self.runsc_argv(["serve", "stdio"], panic_log), self.workdir(), panic_log)
            except BaseException:
                panic_log.unlink(missing_ok=True)
                raise
            self.sandbox_starts.append(round(sandbox.start_s, 3))
            reply = sandbox.request("run", 60.0, timeout_ms=30000, capture=0, netns=1, loopback_routes=1,
                                    arg=["/bin/true"])
            if reply.get("status") != b"ok":
                self.runs_unshared = ("each run has a sandbox of its own: in a namespace of a shared one, "
                                      + reply.get("error", b"").decode("utf-8", "replace"))
                sandbox.close()
                return None
            self._sandbox = sandbox
        return self._sandbox

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None
        for proc in list(self._procs):
            kill_sandbox(proc)
        self._procs.clear()
        self.remove_workdir()

    # -- the contract
    def run(self, invocation: Invocation) -> RunRecord:
        probe = (self.build_dir / "probes" / invocation.probe).resolve()
        if not probe.is_file():
            raise TargetError(f"gvisor: no probe {probe}")
        if invocation.faults:
            raise FaultsUnsupported("gvisor: fault injection needs nftables, which gVisor's netstack lacks")
        # The agent's capture is a packet socket on loopback, written as
        # Ethernet: the scripted peer's tun device (raw IP) is not in it.
        peer_unseen = PEER_UNCAPTURED if invocation.peer else None
        capture = invocation.capture and self._capture_reason is None and peer_unseen is None

        refused = self._refused_sysctl(invocation.sysctls)
        if refused:
            raise SysctlError(f"{self.name}: {invocation.command_line()}: {refused}")

        def exchange() -> dict[str, bytes]:
            return self._exchange("run", invocation.timeout_s + 60.0, own_sandbox=bool(invocation.sysctls),
                                  isolated=True, **self._fields(invocation, probe, capture))

        started = time.monotonic()
        reply = exchange()
        self._learn_sysctls(invocation.sysctls, reply)
        if capture and reply.get("error_kind") == b"capture":
            # The sandbox refused to start the capture: say so once, run without it.
            self._capture_reason = ("no capture in gVisor: " + reply.get("error", b"").decode("utf-8", "replace")
                                    + f"; {TCPDUMP_UNAVAILABLE}; {PCAP_LOG_NOTE}")
            capture = False
            started = time.monotonic()
            reply = exchange()
        wall = time.monotonic() - started
        unavailable = None if capture or not invocation.capture else (peer_unseen or self._capture_reason)
        if capture and reply.get("error_kind") == b"capture_end":
            # Not rerun: a lost end marker (re-sent each second) is a capture
            # failure to see, and this run's wire checks say so.
            unavailable = "capture incomplete: " + reply.get("error", b"").decode("utf-8", "replace")
            reply = {**reply, "status": b"ok"}
        record = record_from_reply(reply, invocation, self.name, self.workdir(), wire_unavailable=unavailable)
        self.overheads.append(wall - record.duration_s)
        missing = UNIMPLEMENTED.search(record.stderr or "") if record.exit_code == 1 else None
        if missing:
            # The probe stopped because the sandbox lacks a facility (sock_diag,
            # a socket option): a skip with that reason, not a failure of the behaviour.
            said = record.stderr.strip().splitlines()[-1][:200]
            raise Unsupported(f"gVisor lacks what the probe needs: {said}"
                              + (f"; {NO_SOCK_DIAG}" if "sock_diag" in said else ""))
        return record

    def _refused_sysctl(self, sysctls: dict[str, str]) -> str | None:
        """The agent's error for the first of these sysctls that this runsc
        refused before, when it set every one ahead of it before: a sandbox
        would refuse it again (a sysctl gVisor lacks, or a value it refuses:
        88 runs of each gVisor suite), so none is started for it."""
        for item in sysctls.items():
            if item in self._sysctls_refused:
                return self._sysctls_refused[item]
            if item not in self._sysctls_set:
                return None
        return None

    def _learn_sysctls(self, sysctls: dict[str, str], reply: dict[str, bytes]) -> None:
        """The agent sets sysctls in order and stops at the first it cannot set."""
        if reply.get("status") == b"ok":
            self._sysctls_set.update(sysctls.items())
        elif reply.get("error_kind") == b"sysctl":
            error = reply.get("error", b"").decode("utf-8", "replace")
            for key, value in sysctls.items():
                if error.startswith((f"sysctl {key}=", f"sysctl {key}:")):
                    self._sysctls_refused[(key, value)] = error
                    return
                self._sysctls_set.add((key, value))

    def _fields(self, invocation: Invocation, probe: Path, capture: bool) -> dict[str, Any]:
        fields = run_fields(invocation, str(probe), netns=False, capturer="packet", request_id=1)
        del fields["netns"]      # _exchange sets it: whether the run needs a namespace made depends on its sandbox
        fields["capture"] = 1 if capture else 0
        return fields

    def info(self) -> dict[str, str]:
        """What the sandbox's kernel says about itself (uname, /proc/version)."""
        if self._info is None:
            reply = self._exchange("info", 60.0)
            self._info = {k: v.decode("utf-8", "replace") for k, v in reply.items()}
        return self._info

    def check_starts(self) -> None:
        self.info()
        self.read_sysctls(RELEVANT_SYSCTLS)

    def read_sysctls(self, keys: list[str]) -> dict[str, str | None]:
        reply = self._exchange("run", 60.0, timeout_ms=30000, capture=0,
                               arg=["/bin/sh", "-c", READ_SYSCTLS_SCRIPT, "sh", *keys])
        return sysctls_from_output(reply.get("stdout", b"").decode("utf-8", "replace"), keys)

    def environment(self) -> dict[str, Any]:
        if self._env is None:
            info = self.info()
            version = subprocess.run([self.runsc, "--version"], capture_output=True, text=True).stdout
            m = re.search(r"runsc version (\S+)", version)
            pkg = self._package_version if self.release else subprocess.run(
                ["dpkg-query", "-W", "-f=${Version}", "runsc"], capture_output=True, text=True).stdout.strip()
            env = {
                "target": self.name,
                "gvisor_release": self.release,
                "kernel_release": info.get("release"),
                "kernel_version": info.get("version"),
                "machine": info.get("machine"),
                "proc_version": info.get("proc_version", "").strip(),
                "runsc_version": m.group(1) if m else version.strip() or None,
                "runsc_package_version": pkg or None,
                "runsc_command": " ".join(self.runsc_argv([])[:-1] + ["PROGRAM"]),
                "platform": self.platform,
                "network": "none (netstack, loopback only)",
                "sandboxes": self.runs_unshared or (
                    "one per worker, each run in a network namespace of its own with the loopback routes "
                    "runsc gives the first one; a run that sets sysctls in a sandbox of its own"),
                "rootless": self.rootless,
                "host_kernel_release": os.uname().release,
                "capture": CAPTURE_METHOD if self._capture_reason is None else None,
                "capture_unavailable": self._capture_reason,
                "capture_notes": f"{TCPDUMP_UNAVAILABLE}; {PCAP_LOG_NOTE}",
                "sysctls": self.read_sysctls(RELEVANT_SYSCTLS),
            }
            env.update(tool_versions(self.build_dir))
            env["tcpdump_version"] = None      # not used inside the sandbox
            env["libpcap_version"] = None
            self._env = env
        return dict(self._env)

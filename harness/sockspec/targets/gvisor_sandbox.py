"""The two ways the gVisor target starts the agent in a runsc sandbox.

A serving sandbox (`agent serve stdio`) lives as long as the target and runs
each request in a network namespace of its own, inside the sandbox: gVisor
gives a new namespace a fresh netstack with its own loopback, which is what a
fresh sandbox gave each run before.  Starting a sandbox costs 300 ms of CPU
(runsc 2022, ptrace) to 425 ms (2024, systrap), measured with `runsc do
/bin/true` on a quiet machine: half or more of a gVisor suite's CPU when
every run had its own.

A one-shot sandbox (`agent once`) still runs each request that sets sysctls,
and every request where runs cannot share a sandbox (GvisorTarget._serving()).
gVisor's /proc/sys/net always shows the stack of the sandbox's first network
namespace (gvisor.dev/issue/1833, checked on both releases: writing tcp_sack
in an `unshare -n` shell changed the outer stack's value, not the inner's).
So a sysctl written from a run's own namespace would miss the run and stay
for every later run; in a sandbox of its own it reaches the run's stack.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from ..errors import TargetError
from ..processes import launched
from .guest_agent import AgentLink, encode_request, split_reply


def sentry_panic(panic_log: Path) -> str | None:
    """The first line of the sentry's panic, as runsc's --panic-log wrote it."""
    with contextlib.suppress(OSError):
        for line in panic_log.read_text(errors="replace").splitlines():
            if line.startswith(("panic:", "fatal error:")):
                return f"the sandbox's kernel (sentry) crashed: {line[:300]}"
    return None


def kill_sandbox(proc: subprocess.Popen) -> None:
    """runsc and everything it started (its own session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        proc.communicate(timeout=10)
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def run_once(argv: list[str], workdir: Path, panic_log: Path, cmd: str, timeout_s: float,
             procs: set[subprocess.Popen], **fields: Any) -> dict[str, bytes]:
    """One request in a sandbox of its own: the request on stdin, the reply on
    stdout.  `procs` holds the sandbox while it runs, for the target's close()."""
    proc = subprocess.Popen(launched(argv, pdeathsig=signal.SIGKILL), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=workdir,
                            start_new_session=True)
    procs.add(proc)
    try:
        try:
            out, err = proc.communicate(encode_request(cmd, **fields), timeout=timeout_s)
        except subprocess.TimeoutExpired:
            kill_sandbox(proc)
            raise TargetError(f"gvisor: runsc did not finish within {timeout_s:.0f} s") from None
    finally:
        if proc.poll() is None:
            kill_sandbox(proc)
        procs.discard(proc)
    reply, _ = split_reply(out)
    if reply is None:
        said = err.decode("utf-8", "replace").strip()[-1500:] or sentry_panic(panic_log) or "nothing on stderr"
        raise TargetError(f"gvisor: {argv[0]} exited {proc.returncode} without a reply: {said}")
    return reply


class ServingSandbox:
    """A runsc sandbox whose agent serves requests on its stdin and replies on
    its stdout, two pipes (with a socket pair as stdin and stdout, runsc 2024
    delivered the agent's hello but never a request to it); runsc's and the
    agent's stderr go to a log."""

    def __init__(self, argv: list[str], workdir: Path, panic_log: Path, hello_timeout_s: float = 60.0):
        self.argv = argv
        self.panic_log = panic_log
        fd, name = tempfile.mkstemp(prefix="sandbox-", suffix=".log", dir=workdir)
        self.log = Path(name)
        try:
            with os.fdopen(fd, "wb") as log:
                self.proc = subprocess.Popen(launched(argv, pdeathsig=signal.SIGKILL), stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=log, cwd=workdir,
                                             start_new_session=True)
        except BaseException:
            self.log.unlink(missing_ok=True)
            raise
        requests, replies = self.proc.stdin, self.proc.stdout

        def close() -> None:
            requests.close()
            replies.close()

        self.link = AgentLink(replies.fileno(), requests.fileno(), close, self.stderr_tail)
        started = time.monotonic()
        hello = self._answer(lambda: self.link.read_reply(started + hello_timeout_s))
        self.start_s = time.monotonic() - started
        if hello.get("kind") != b"hello":
            self.kill()
            raise TargetError(f"gvisor: unexpected first message from the sandbox's agent: {hello!r}")
        self.hello = {k: v.decode("utf-8", "replace") for k, v in hello.items()}

    def stderr_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log.read_bytes()[-1500:].decode("utf-8", "replace").strip()
        return ""

    def request(self, cmd: str, timeout_s: float, **fields: Any) -> dict[str, bytes]:
        return self._answer(lambda: self.link.request(cmd, timeout_s, **fields))

    def _answer(self, call: Callable[[], dict[str, bytes]]) -> dict[str, bytes]:
        """call()'s reply; a sandbox that exits or wedges instead is killed,
        and the error says why (runsc's stderr, else the sentry's panic)."""
        try:
            return call()
        except (TargetError, OSError) as e:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(5.0)    # the channel closes just before runsc exits
            if self.proc.poll() is None:
                error = TargetError(f"gvisor: {e}")
            else:
                said = self.stderr_tail() or sentry_panic(self.panic_log) or "nothing on stderr"
                error = TargetError(f"gvisor: {self.argv[0]} exited {self.proc.returncode} "
                                    f"without a reply: {said}")
            self.kill()
            raise error from e

    def alive(self) -> bool:
        return self.proc.poll() is None and self.link.open

    def close(self, timeout_s: float = 10.0) -> None:
        """Closing the channel ends the agent's loop, and with it the sandbox."""
        self.link.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout_s)
        self.kill()

    def kill(self) -> None:
        self.link.close()
        if self.proc.poll() is None:
            kill_sandbox(self.proc)
        else:
            self.proc.wait()
        for path in (self.log, self.panic_log):
            with contextlib.suppress(OSError):
                path.unlink()

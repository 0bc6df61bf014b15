"""A gVisor sandbox that dies is one error naming why, not a silent exit code."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sockspec.paths import build_dir
from sockspec.targets.base import Invocation, TargetError
from sockspec.targets.gvisor import GvisorTarget, SysctlError

HAVE_CC = shutil.which("cc") is not None or shutil.which("gcc") is not None
HAVE_RUNSC = shutil.which("runsc") is not None and os.geteuid() == 0


@pytest.mark.skipif(not HAVE_CC, reason="the agent needs a C compiler")
def test_gvisor_sentry_panic_is_one_error_naming_it(tmp_path):
    """A sentry that panics leaves stderr empty and exits 2 (the sid rebuild of
    runsc 20240729 does so at random): the error quotes its --panic-log."""
    runsc = tmp_path / "runsc"
    runsc.write_text("#!/bin/sh\nfor a; do case $a in --panic-log=*) log=${a#--panic-log=};; esac; done\n"
                     "printf 'I1201 boot\\npanic: running on goroutine 7 (task goroutine is 0)\\n' > \"$log\"\n"
                     "exit 2\n")
    runsc.chmod(0o755)
    cache = Path(os.environ.get("SOCKSPEC_CACHE") or build_dir() / "cache")
    with GvisorTarget(tmp_path, cache, runsc=str(runsc)) as target:
        with pytest.raises(TargetError, match=r"exited 2 without a reply: the sandbox's kernel \(sentry\) "
                                              r"crashed: panic: running on goroutine 7"):
            target.check_starts()
        assert not list(target.workdir().glob("panic-*")), "each sandbox's panic log is removed"


@pytest.mark.skipif(not (HAVE_CC and HAVE_RUNSC), reason="needs runsc, root and a C compiler")
def test_gvisor_asks_no_sandbox_for_a_sysctl_it_refused(monkeypatch):
    """A refused sysctl, behind one that was set, is refused again with the
    agent's own words, without a sandbox started for it (the probe never runs)."""
    from sockspec.targets import gvisor as gvisor_module
    if not (build_dir() / "probes" / "tcp_handshake").is_file():
        pytest.skip("build/probes/tcp_handshake not built")
    starts = []
    real_run_once = gvisor_module.run_once
    monkeypatch.setattr(gvisor_module, "run_once", lambda *a, **k: starts.append(1) or real_run_once(*a, **k))
    invocation = Invocation("tcp_handshake", [], capture=False,
                            sysctls={"net.ipv4.tcp_sack": "1", "net.ipv4.tcp_syncookies": "0"})
    cache = Path(os.environ.get("SOCKSPEC_CACHE") or build_dir() / "cache")
    with GvisorTarget(build_dir(), cache) as target:
        with pytest.raises(SysctlError, match="tcp_syncookies") as first:
            target.run(invocation)
        with pytest.raises(SysctlError) as again:
            target.run(invocation)
        assert str(again.value) == str(first.value) and len(starts) == 1
        invocation.sysctls["net.ipv4.tcp_syncookies"] = "1"
        with pytest.raises(SysctlError, match="tcp_syncookies"):
            target.run(invocation)          # another value: asked again
        assert len(starts) == 2

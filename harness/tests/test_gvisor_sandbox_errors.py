"""A gVisor sandbox that dies is one error naming why, not a silent exit code."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sockspec.paths import build_dir
from sockspec.targets.base import TargetError
from sockspec.targets.gvisor import GvisorTarget

HAVE_CC = shutil.which("cc") is not None or shutil.which("gcc") is not None


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

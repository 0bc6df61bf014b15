"""What a results file records about where it was made."""
from __future__ import annotations

import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from .paths import REPO

# The sysctls that change the behaviours in the catalog, read inside a fresh
# test namespace (a namespace starts from the kernel's defaults, not the host's).
RELEVANT_SYSCTLS = [
    "net.core.somaxconn",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.tcp_abort_on_overflow",
    "net.ipv4.tcp_max_syn_backlog",
    "net.ipv4.tcp_syn_retries",
    "net.ipv4.tcp_syn_linear_timeouts",  # since 6.x: absent is a kernel without linear SYN timeouts
    "net.ipv4.tcp_rto_min_us",           # since 6.x: before, the RTO floor is a route attribute
    "net.ipv4.tcp_synack_retries",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_tw_reuse",
    "net.ipv4.tcp_rfc1337",
    "net.ipv4.tcp_timestamps",
    "net.ipv4.tcp_sack",
    "net.ipv4.tcp_window_scaling",
    "net.ipv4.tcp_fastopen",
    "net.ipv4.ip_local_port_range",
    "net.ipv6.bindv6only",
]


def _first_line(argv: list[str]) -> str | None:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout + out.stderr).strip()
    return text.splitlines()[0] if text else None


def tool_versions(build: Path) -> dict:
    tcpdump = subprocess.run(["tcpdump", "--version"], capture_output=True, text=True).stdout
    m_tcpdump = re.search(r"tcpdump version (\S+)", tcpdump)
    m_pcap = re.search(r"libpcap version (\S+)", tcpdump)
    compiler = None
    cache = build / "CMakeCache.txt"
    if cache.exists():
        m = re.search(r"^CMAKE_CXX_COMPILER:\w+=(.*)$", cache.read_text(), re.M)
        if m:
            compiler = _first_line([m.group(1), "--version"])
    return {
        "tcpdump_version": m_tcpdump.group(1) if m_tcpdump else None,
        "libpcap_version": m_pcap.group(1) if m_pcap else None,
        "compiler": compiler,
    }


def suite_revision() -> str | None:
    rev = _first_line(["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"])
    if rev is None or not re.fullmatch(r"[0-9a-f]+", rev):
        return None
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return rev + ("-dirty" if dirty else "")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")

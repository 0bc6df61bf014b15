"""Namespaces, capture and the host target: real kernels, real tcpdump. Needs root."""
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sockspec import flow, netns, paths, processes
from sockspec.capture import Capture
from sockspec.errors import SockspecError
from sockspec.paths import REPO, probe_path
from sockspec.targets import Invocation, SysctlUnavailable, make_target

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces, tcpdump)")


def host_sysctls():
    return {k: Path("/proc/sys", *k.split(".")).read_text().strip()
            for k in ("net.core.somaxconn", "net.ipv4.tcp_syncookies", "net.ipv4.tcp_abort_on_overflow")}


def test_namespace_sysctls_stay_inside():
    before = host_sysctls()
    with netns.NetNS({"net.core.somaxconn": "7", "net.ipv4.tcp_abort_on_overflow": "1"}) as ns:
        assert ns.read_sysctls(["net.core.somaxconn", "net.ipv4.tcp_abort_on_overflow"]) == \
            {"net.core.somaxconn": "7", "net.ipv4.tcp_abort_on_overflow": "1"}
        name = ns.name
        assert name in netns.list_ours()
    assert name not in netns.list_ours()
    assert host_sysctls() == before


def _own_namespaces() -> set[str]:
    # Only this process's: another pytest worker makes namespaces meanwhile.
    return {n for n in netns.list_ours() if netns.owner_pid(n) == os.getpid()}


def test_unknown_sysctl_is_unsupported_and_leaves_nothing():
    before = _own_namespaces()
    with pytest.raises(SysctlUnavailable, match="net.ipv4.no_such_thing"):
        netns.NetNS({"net.ipv4.no_such_thing": "1"})
    assert _own_namespaces() == before


def test_stale_namespaces_of_dead_runs_are_swept():
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    name = f"{netns.PREFIX}{dead}-1"
    subprocess.run(["ip", "netns", "add", name], check=True)
    mine = netns.NetNS()
    try:
        assert name in netns.sweep_stale()
        assert name not in netns.list_ours()
        assert mine.name in netns.list_ours(), "a live run's namespace is kept"
    finally:
        mine.delete()


def test_namespace_made_in_process_is_what_ip_netns_makes():
    """Made without `ip`: ip lists it, its loopback is up, a child entered with
    enter_argv() is in it (and not in ours), and delete() kills what still runs there."""
    with netns.NetNS() as ns:
        assert ns.name in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        links = subprocess.run(["ip", "-n", ns.name, "-o", "link", "show", "lo"], capture_output=True, text=True)
        assert "state UNKNOWN" in links.stdout and ",UP" in links.stdout
        child = subprocess.Popen(ns.enter_argv(["sh", "-c", "echo entered; exec sleep 60"]), stdout=subprocess.PIPE)
        assert child.stdout.readline() == b"entered\n", "the launcher enters before it execs"
        assert netns.pids_in(ns.name) == [child.pid]
        assert os.readlink(f"/proc/{child.pid}/ns/net") != os.readlink("/proc/self/ns/net")
    assert child.wait(timeout=10) == -signal.SIGKILL
    child.stdout.close()


# Spawns through the launcher into the namespace given, says the child's pid
# once the child runs there, then waits to be killed.
_LAUNCHING_PARENT = """
import signal, subprocess, sys
from pathlib import Path
from sockspec import processes
argv = processes.launched(["sh", "-c", "echo entered; exec sleep 60"], netns=Path(sys.argv[1]),
                          pdeathsig=signal.SIGKILL)
child = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
print(child.pid, child.stdout.readline().strip(), flush=True)
sys.stdin.read()
"""


def test_launcher_enters_the_namespace_and_dies_with_its_parent():
    """build/sockspec-enter: the command runs in the namespace, and gets
    SIGKILL when the process that started it is killed."""
    env = dict(os.environ, PYTHONPATH=str(REPO / "harness"))
    with netns.NetNS() as ns:
        parent = subprocess.Popen([sys.executable, "-c", _LAUNCHING_PARENT, str(netns.NETNS_DIR / ns.name)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        pid, said = parent.stdout.readline().split()
        assert said == "entered"
        assert netns.pids_in(ns.name) == [int(pid)]
        child = os.pidfd_open(int(pid))
        try:
            parent.kill()
            parent.wait()
            # The pidfd turns readable when the child exits: an event, the deadline only guards a hang.
            assert select.select([child], [], [], 30)[0], "the child outlived its parent by 30 s"
        finally:
            os.close(child)
            parent.stdin.close()
            parent.stdout.close()


def test_launcher_errors_are_one_line_and_a_shell_status():
    launcher = [str(paths.launcher_path())]
    for argv, status, says in ((["--", "no-such-command-here"], 127, "no-such-command-here: No such file"),
                               (["--netns", "/nonexistent", "--", "true"], 126, "opening the namespace /nonexistent"),
                               (["--pdeathsig", "KILL", "--parent", "1", "--", "true"], 126, "died before true started"),
                               (["--bogus", "1", "--", "true"], 126, "unknown option '--bogus'")):
        result = subprocess.run(launcher + argv, capture_output=True, text=True)
        assert result.returncode == status, argv
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("sockspec-enter: ") and says in result.stderr


def test_capture_keeps_every_packet_up_to_the_marker(tmp_path):
    with netns.NetNS() as ns:
        cap = Capture(ns, tmp_path / "c.pcap")
        script = ("import socket\nfor i in range(50):\n"
                  "    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x%d' % i, ('127.0.0.1', 7000))\n")
        subprocess.run(ns.exec_argv([sys.executable, "-c", script]), check=True)
        stats = cap.stop()
    datagrams = [p for p in flow.read_pcap(tmp_path / "c.pcap") if isinstance(p, flow.Datagram)]
    assert [d.payload for d in datagrams] == [b"x%d" % i for i in range(50)]
    assert stats.get("dropped") == 0
    assert not (tmp_path / "c.tcpdump.log").exists()


@pytest.fixture
def host():
    build = Path(os.environ.get("SOCKSPEC_BUILD", REPO / "build"))
    if not probe_path("tcp_handshake", build).exists():
        pytest.skip("probes are not built (cmake --build build)")
    return make_target("host", build)


def test_host_target_run_record(host, tmp_path):
    record = host.run(Invocation("tcp_handshake", ["--family", "inet6"], pcap_path=tmp_path / "h.pcap"))
    assert record.exit_code == 0 and record.target == "host"
    assert record.observations["server_addr"].startswith("[::1]:")
    assert any(e.get("call") == "accept" for e in record.events)
    assert len([p for p in flow.read_pcap(record.pcap) if isinstance(p, flow.Segment)]) >= 6


def test_bad_probe_usage_is_exit_2_with_one_line(host):
    record = host.run(Invocation("tcp_listen_backlog", ["--backlog=x"], capture=False))
    assert record.exit_code == 2
    assert len(record.stderr.strip().splitlines()) == 1 and "--backlog" in record.stderr


def test_interrupted_run_leaves_no_namespace_or_tcpdump(tmp_path):
    """SIGTERM in the middle of a suite run unwinds: the namespaces and tcpdump go too."""
    env = dict(os.environ, PYTHONPATH=str(REPO / "harness"))
    proc = subprocess.Popen([sys.executable, "-m", "pytest", str(REPO / "suites" / "tcp_listen"), "-q", "-p",
                             "no:cacheprovider", "-k", "backlog and not control"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not [n for n in netns.list_ours() if netns.owner_pid(n) == proc.pid]:
        assert time.monotonic() < deadline and proc.poll() is None, "the run never made a namespace"
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert not [n for n in netns.list_ours() if netns.owner_pid(n) == proc.pid]
    tcpdumps = subprocess.run(["pgrep", "-x", "tcpdump"], capture_output=True, text=True).stdout.split()
    for pid in tcpdumps:
        assert str(proc.pid) not in Path(f"/proc/{pid}/stat").read_text().split()[3:4], "tcpdump outlived its run"


def _pids_in(names: list[str]) -> set[int]:
    return {int(p) for n in names for p in subprocess.run(["ip", "netns", "pids", n], capture_output=True,
                                                          text=True).stdout.split()}


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_killed_run_leaves_no_process_and_the_next_sweep_takes_its_namespaces():
    """SIGKILL of a run's process group: nothing it started keeps running
    (PR_SET_PDEATHSIG), and its namespaces go with the next run's sweep. The
    deadline only guards against a hang: death signals arrive at once, but a
    loaded machine may take a while to schedule the dying."""
    env = dict(os.environ, PYTHONPATH=str(REPO / "harness"))
    proc = subprocess.Popen([sys.executable, "-m", "pytest", str(REPO / "suites" / "tcp_listen"), "-q", "-p",
                             "no:cacheprovider", "-k", "backlog and not control"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while not _pids_in([n for n in netns.list_ours() if netns.owner_pid(n) == proc.pid]):
        assert time.monotonic() < deadline and proc.poll() is None, "the run never started a process in a namespace"
        time.sleep(0.01)
    started = _pids_in([n for n in netns.list_ours() if netns.owner_pid(n) == proc.pid])
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30
    while any(_alive(p) for p in started):
        assert time.monotonic() < deadline, "a process of the killed run is alive 30 s after SIGKILL"
        time.sleep(0.01)
    netns.sweep_stale()
    assert not [n for n in netns.list_ours() if netns.owner_pid(n) == proc.pid]


def test_a_reused_pid_does_not_keep_a_namespace():
    assert processes.owner_alive(os.getpid(), time.time())
    later = subprocess.Popen(["sleep", "30"])
    try:
        assert not processes.owner_alive(later.pid, time.time() - 60), "started after the namespace: not its owner"
    finally:
        later.kill()
        later.wait()

"""The scripted peer: its tun device in the run's namespace, captured, drawn in
its own column; only the probes that use it link libtins. Needs root."""
import os
import subprocess
from pathlib import Path

import pytest

from sockspec import catalog, flow, timeline
from sockspec.errors import UsageError
from sockspec.paths import REPO, probe_path
from sockspec.targets import Invocation, make_target

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces, tcpdump)")
BUILD = Path(os.environ.get("SOCKSPEC_BUILD", REPO / "build"))
needs_build = pytest.mark.skipif(not probe_path("tcp_rst_sequence_check", BUILD).exists(),
                                 reason="probes are not built (cmake --build build)")


@pytest.fixture
def host():
    return make_target("host", BUILD)


@needs_root
@needs_build
@pytest.mark.parametrize("af, peer_ip", [("inet", "192.0.2.2"), ("inet6", "2001:db8::2")])
def test_peer_segments_are_captured_and_drawn_in_the_peer_column(host, tmp_path, af, peer_ip):
    record = host.run(Invocation("tcp_listener_stray_segments", ["--family", af, "--flags", "ACK"],
                                 pcap_path=tmp_path / "p.pcap", peer=True))
    assert record.exit_code == 0, record.stderr
    conn = flow.connection_between(flow.read_pcap(record.pcap), record.observations["client_addr"],
                                   record.observations["server_addr"])
    assert conn.client.ip == peer_ip
    assert [s.label for s in conn.segments] == ["ACK", "RST"]
    assert {e["call"] for e in record.events if e.get("side") == "peer"} >= {"tun", "send", "recv"}
    entries = timeline.build(record.events, flow.read_pcap(record.pcap), [conn.server])
    ladder = timeline.render_ladder(entries)
    assert ladder.splitlines()[0].split()[2] == "peer"
    assert any(e.side == "peer" for e in entries)


def test_a_ladder_without_the_peer_keeps_the_client_column():
    entries = [timeline.Entry(1, "call", "client", "socket(...) = 3")]
    assert timeline.render_ladder(entries).splitlines()[0].split()[2] == "client"


@needs_build
def test_only_peer_probes_link_libtins():
    def links_tins(name):
        return "libtins" in subprocess.run(["ldd", str(probe_path(name, BUILD))], capture_output=True, text=True).stdout
    assert links_tins("tcp_rst_sequence_check")
    assert not links_tins("tcp_handshake")


def test_catalog_peer_key_is_a_boolean(tmp_path):
    assert catalog.default().behaviour("tcp_rst_sequence_check").peer is True
    assert catalog.default().behaviour("tcp_handshake").peer is False
    (tmp_path / "behaviours").mkdir()
    (tmp_path / "claims.toml").write_text("")
    (tmp_path / "behaviours" / "x.toml").write_text(
        '[x_y]\ntitle = "t"\narea = "x"\nsources = ["s"]\nfamilies = ["inet"]\nlinux = "l"\npeer = "yes"\n')
    with pytest.raises(UsageError, match="'peer' must be true or false"):
        catalog.load(tmp_path)

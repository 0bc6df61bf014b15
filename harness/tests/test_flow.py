"""Decoding captures the project's probes recorded (fixtures/), and refusing broken ones."""
import struct

import pytest

from sockspec import checks, flow
from sockspec.errors import PcapError
from sockspec.probe_output import parse


def load(fixtures, name):
    events, observations = parse((fixtures / f"{name}.jsonl").read_text())
    return flow.read_pcap(fixtures / f"{name}.pcap"), events, observations


@pytest.mark.parametrize("name", ["handshake_inet", "handshake_inet6"])
def test_handshake_capture_decodes_to_the_three_segments(fixtures, name):
    packets, _, obs = load(fixtures, name)
    conn = flow.connection_between(packets, obs["client_addr"], obs["server_addr"])
    checks.three_way_handshake(conn)
    assert [conn.describe(s).split()[0] for s in conn.segments] == \
        ["SYN", "SYN+ACK", "ACK", "FIN+ACK", "FIN+ACK", "ACK"]
    syn = conn.segments[0]
    assert syn.options["mss"] > 0 and syn.options["sackok"] and "ts" in syn.options and "wscale" in syn.options
    assert conn.rel_seq(conn.segments[2]) == 1 and conn.rel_ack(conn.segments[2]) == 1


def test_capture_stops_at_the_end_marker(fixtures):
    packets, _, _ = load(fixtures, "handshake_inet")
    assert all(not (isinstance(p, flow.Datagram) and p.dst.port == 9) for p in packets)
    assert not any(isinstance(p, flow.IcmpMessage) for p in packets), "the marker's ICMP reply is after it"


def test_times_are_nanoseconds_on_the_probe_clock(fixtures):
    packets, events, _ = load(fixtures, "handshake_inet")
    connect = next(e for e in events if e.get("call") == "connect")
    syn = packets[0]
    assert connect["t_real_ns"] < syn.t_ns < connect["end_real_ns"]
    assert syn.t_ns % 1000 != 0 or packets[1].t_ns % 1000 != 0, "nanosecond stamps, not microseconds"


def test_half_close_teardown_is_four_segments_with_data_between(fixtures):
    packets, _, obs = load(fixtures, "half_close_delayed_inet")
    conn = flow.connection_between(packets, obs["client_addr"], obs["server_addr"])
    t = checks.four_segment_teardown(conn)
    assert t["picture"] == ["c>FIN+ACK", "s>ACK", "s>FIN+ACK", "c>ACK"]
    data = [s for s in conn.segments if s.length and not conn.from_client(s)]
    assert sum(s.length for s in data) == len(obs["server_sent"])


def test_handshake_check_fails_on_a_dropped_syn(fixtures):
    """The check that a capture shows SYN, SYN+ACK, ACK can fail: a client whose
    SYN the full listener dropped has two SYNs and no answer."""
    packets, _, obs = load(fixtures, "listen_backlog0_inet")
    dropped = next(c["client"] for c in obs["clients"] if c["outcome"] == "dropped")
    conn = flow.connection_between(packets, dropped, obs["server_addr"])
    assert [s.label for s in conn.segments] == ["SYN", "SYN"]
    with pytest.raises(AssertionError, match="handshake.segments"):
        checks.three_way_handshake(conn)


def test_four_segment_check_fails_on_a_folded_ack(fixtures):
    packets, _, obs = load(fixtures, "handshake_inet")
    conn = flow.connection_between(packets, obs["client_addr"], obs["server_addr"])
    assert checks.teardown(conn)["count"] == 3
    with pytest.raises(AssertionError, match="teardown.count: .*seen 3"):
        checks.four_segment_teardown(conn)


def test_endpoint_parses_both_spellings():
    assert flow.Endpoint.parse("127.0.0.1:80") == flow.Endpoint("127.0.0.1", 80)
    assert flow.Endpoint.parse("[::1]:443") == flow.Endpoint("::1", 443)
    assert str(flow.Endpoint("::1", 443)) == "[::1]:443"


def test_truncated_pcap_is_an_error_naming_the_file(fixtures, tmp_path):
    data = (fixtures / "handshake_inet.pcap").read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data[: len(data) - 30])
    with pytest.raises(PcapError, match=r"cut\.pcap: truncated"):
        flow.read_pcap(cut)


@pytest.mark.parametrize("content, message", [
    (b"", "not a pcap file"),
    (b"\x0a\x0d\x0d\x0a" + b"\0" * 40, "pcapng is not supported"),
    (b"hello world, this is not a capture file", "not a pcap file"),
])
def test_not_a_pcap_is_an_error(tmp_path, content, message):
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(content)
    with pytest.raises(PcapError, match=message):
        flow.read_pcap(bad)


def test_missing_pcap_is_an_error(tmp_path):
    with pytest.raises(PcapError, match="cannot read"):
        flow.read_pcap(tmp_path / "absent.pcap")


def test_unknown_link_type_is_an_error(fixtures, tmp_path):
    data = bytearray((fixtures / "handshake_inet.pcap").read_bytes())
    data[20:24] = struct.pack("<I", 147)  # a user link type
    other = tmp_path / "user.pcap"
    other.write_bytes(bytes(data))
    with pytest.raises(PcapError, match="unsupported link type 147"):
        flow.read_pcap(other)


def test_endpoint_maybe_is_none_for_unix_addresses():
    assert flow.Endpoint.maybe("unix:@sockspec") is None
    assert flow.Endpoint.maybe(None) is None
    with pytest.raises(ValueError, match="not an IP endpoint"):
        flow.Endpoint.parse("unix:/tmp/x")

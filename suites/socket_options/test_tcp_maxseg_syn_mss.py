"""TCP_MAXSEG (tcp(7)) set before connect(): the MSS the SYN advertises (RFC 9293 §3.7.1)."""
import pytest


def _handshake_mss(run):
    conn = run.connection()
    syn = next(s for s in conn.segments if s.flags_exactly("SYN"))
    synack = next(s for s in conn.segments if s.flags_exactly("SYN", "ACK"))
    return syn.options.get("mss"), synack.options.get("mss")


@pytest.mark.behaviour("tcp_maxseg_syn_mss")
def test_tcp_maxseg_syn_mss(probe, family, expect):
    run = probe("--mss", 1000)
    syn_mss, synack_mss = _handshake_mss(run)
    expect.eq("syn_advertises_maxseg", syn_mss, 1000, "the client's SYN advertises MSS 1000, the TCP_MAXSEG it set")
    expect.gt("synack_advertises_loopback_mss", synack_mss, 1000,
              "the server's SYN+ACK advertises loopback's larger MSS: the option is the client's alone")
    expect.le("client_segments_at_most_1000", run["client_maxseg"], 1000,
              "the client's segment size after the handshake is at most 1000 (less the timestamp option)")
    expect.le("server_segments_at_most_1000", run["server_maxseg"], 1000,
              "the server sends segments of at most the 1000 bytes the SYN advertised")


@pytest.mark.behaviour("tcp_maxseg_syn_mss")
@pytest.mark.control("TCP_MAXSEG not set")
def test_tcp_maxseg_syn_mss_default_control(probe, family, expect):
    """Without TCP_MAXSEG both ends advertise loopback's MSS, not 1000."""
    run = probe("--mss", 0)
    syn_mss, synack_mss = _handshake_mss(run)
    expect.eq("syn_advertises_loopback_mss", syn_mss, synack_mss,
              "the client's SYN advertises the same MSS as the server's SYN+ACK, loopback's")
    expect.gt("syn_mss_above_1000", syn_mss, 1000, "which is above 1000")

"""TCP_INFO's tcpi_rtt (tcp(7) TCP_INFO; tcp_rtt_estimator, RFC 6298 §2): set by the handshake."""
import pytest


@pytest.mark.behaviour("tcp_info_rtt_after_handshake")
def test_tcp_info_rtt_after_handshake(probe, family, expect):
    run = probe()
    expect.eq("no_rtt_before_connect", run["client_before_connect"]["rtt_us"], 0,
              "before connect() TCP_INFO's rtt is 0: nothing measured")
    expect.eq("connect_ok", run["connect"], "ok", "connect() succeeds")
    expect.ge("client_rtt_after_handshake", run["client_after_connect"]["rtt_us"], 1,
              "once connect() returns the client's rtt is set (the SYN to SYN+ACK sample)")
    expect.ge("server_rtt_after_handshake", run["server_after_accept"]["rtt_us"], 1,
              "the accepted socket's rtt is set (the SYN+ACK to ACK sample)")
    conn = run.connection()
    expect.eq("one_round_trip_each", [s.label for s in conn.segments[:3]], ["SYN", "SYN+ACK", "ACK"],
              "the samples come from the handshake: no data crossed before they were read")


@pytest.mark.behaviour("tcp_info_rtt_after_handshake")
@pytest.mark.control("connect() to a closed port")
def test_tcp_info_rtt_after_handshake_refused_control(probe, family, expect):
    """A refused connect() (SYN answered by RST) measures nothing."""
    run = probe("--closed-port")
    expect.eq("refused", run["connect"], "ECONNREFUSED", "connect() is refused")
    expect.eq("no_rtt_without_handshake", run["client_after_connect"]["rtt_us"], 0, "TCP_INFO's rtt stays 0")

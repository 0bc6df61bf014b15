"""An RST received in TIME-WAIT ends the TIME-WAIT socket ("TIME-WAIT
assassination", RFC 1337 §3), unless net.ipv4.tcp_rfc1337=1 makes it ignore
RSTs (net/ipv4/tcp_minisocks.c tcp_timewait_state_process())."""
import pytest

from sockspec.checks.tcp_unexpected import answers_to_last


@pytest.mark.behaviour("tcp_time_wait_rst")
def test_tcp_time_wait_rst(probe, family, expect):
    run = probe(sysctls={"net.ipv4.tcp_rfc1337": 0})
    expect.eq("time_wait_before_rst", run["before_rst"], "TIME-WAIT",
              "the side that closed first is in TIME-WAIT before the RST")
    expect.eq("rst_ends_time_wait", run["after_rst"], "none",
              "with tcp_rfc1337=0 an RST ends the TIME-WAIT socket at once")
    conn = run.connection()
    expect.eq("rst_unanswered", [s.label for s in answers_to_last(conn, "RST")], [],
              "the TIME-WAIT socket does not answer the RST")


@pytest.mark.behaviour("tcp_time_wait_rst")
@pytest.mark.control("net.ipv4.tcp_rfc1337=1")
def test_tcp_time_wait_rst_rfc1337_control(probe, family, expect):
    run = probe(sysctls={"net.ipv4.tcp_rfc1337": 1})
    expect.eq("rfc1337_keeps_time_wait", run["after_rst"], "TIME-WAIT",
              "with tcp_rfc1337=1 the TIME-WAIT socket ignores the RST and stays")

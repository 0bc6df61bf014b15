"""net.ipv4.tcp_tw_reuse: "allow to reuse TIME-WAIT sockets for new
connections when it is safe from protocol viewpoint" (ip-sysctl.rst), which
needs TCP timestamps (net/ipv4/tcp_ipv4.c tcp_twsk_unique())."""
import pytest

from sockspec import flow

# One local port, so that the new connection's port search can only find the TIME-WAIT's.
PORT = 7103
ONE_PORT = {"net.ipv4.ip_local_port_range": "40000 40000"}


def check_reuse_refused(run, expect):
    expect.eq("old_client_time_wait", run["old_client_end"], "TIME-WAIT", "the first client's end is in TIME-WAIT")
    expect.eq("connect_same_peer_refused", run["connect_same_peer"], "EADDRNOTAVAIL",
              "connect() to the TIME-WAIT connection's peer fails with EADDRNOTAVAIL")
    expect.eq("time_wait_kept", run["end_after_connect"], "TIME-WAIT", "the TIME-WAIT socket stays")


@pytest.mark.behaviour("tcp_tw_reuse_outgoing")
def test_tcp_tw_reuse_outgoing(probe, family, expect):
    run = probe("--port", PORT, sysctls={**ONE_PORT, "net.ipv4.tcp_tw_reuse": 1})
    expect.eq("sysctls", [run["tcp_tw_reuse"], run["tcp_timestamps"]], [1, 1],
              "tcp_tw_reuse is the one the test set, timestamps are on")
    expect.eq("old_client_time_wait", run["old_client_end"], "TIME-WAIT", "the first client's end is in TIME-WAIT")
    expect.true("time_wait_aged", run["time_wait_older_than_1s"], "the TIME-WAIT timer has run over a second")
    expect.eq("connect_reuses_time_wait", run["connect_same_peer"], "ok",
              "connect() to the same peer from the same port succeeds: the TIME-WAIT 4-tuple is reused")
    expect.eq("same_port_reused", run["new_local_addr"], run["client_addr"],
              "the new connection leaves from the TIME-WAIT connection's port")
    expect.eq("connection_replaces_time_wait", run["end_after_connect"], "ESTABLISHED",
              "the 4-tuple now belongs to the new, established connection")
    client = flow.Endpoint.parse(run["client_addr"])
    syns = [s for s in run.segments() if s.flags_exactly("SYN") and s.src == client]
    expect.eq("two_syns_same_tuple", len(syns), 2, "two connections' SYNs leave the same address and port")


@pytest.mark.behaviour("tcp_tw_reuse_outgoing")
@pytest.mark.control("net.ipv4.tcp_tw_reuse=0")
def test_tcp_tw_reuse_outgoing_disabled_control(probe, family, expect):
    check_reuse_refused(probe("--port", PORT, sysctls={**ONE_PORT, "net.ipv4.tcp_tw_reuse": 0}), expect)


@pytest.mark.behaviour("tcp_tw_reuse_outgoing")
@pytest.mark.control("net.ipv4.tcp_timestamps=0 with tcp_tw_reuse=1")
def test_tcp_tw_reuse_outgoing_no_timestamps_control(probe, family, expect):
    """Without timestamps nothing tells old segments from new: no reuse."""
    check_reuse_refused(probe("--port", PORT, sysctls={**ONE_PORT, "net.ipv4.tcp_tw_reuse": 1, "net.ipv4.tcp_timestamps": 0}), expect)

"""SO_REUSEADDR lets a socket bind a port a TIME-WAIT connection holds
(socket(7) SO_REUSEADDR; net/ipv4/inet_connection_sock.c inet_csk_get_port());
a bound socket's connect() takes the TIME-WAIT 4-tuple over when timestamps
protect it (net/ipv4/inet_hashtables.c __inet_hash_connect() passes no twp to
__inet_check_established(); net/ipv4/tcp_ipv4.c tcp_twsk_unique())."""
import pytest

from sockspec import flow

SYSCTLS = {"net.ipv4.tcp_tw_reuse": 0}


def client_syns(run):
    client = flow.Endpoint.parse(run["client_addr"])
    return [s for s in run.segments() if s.flags_exactly("SYN") and s.src == client]


@pytest.mark.behaviour("tcp_client_port_time_wait_bind")
def test_tcp_client_port_time_wait_bind(probe, family, expect):
    run = probe(sysctls=SYSCTLS)
    expect.eq("sysctls", [run["tcp_tw_reuse"], run["tcp_timestamps"]], [0, 1],
              "tcp_tw_reuse is off (as the test set it), timestamps are on")
    expect.eq("old_client_time_wait", run["old_client_end"], "TIME-WAIT", "the first client's end is in TIME-WAIT")
    expect.eq("bind_reuseaddr_over_time_wait", run["bind"], "ok",
              "with SO_REUSEADDR on both, a new socket binds the port the TIME-WAIT socket holds")
    expect.eq("bound_connect_takes_over_time_wait", run["connect_same_peer"], "ok",
              "the bound socket's connect() to the same peer succeeds although tcp_tw_reuse is 0")
    expect.eq("new_connection_replaces_time_wait", run["end_after_connect"], "ESTABLISHED",
              "the 4-tuple now belongs to the new, established connection")
    expect.eq("two_syns_same_tuple", len(client_syns(run)), 2, "two connections' SYNs leave the same address and port")


@pytest.mark.behaviour("tcp_client_port_time_wait_bind")
@pytest.mark.control("the new socket without SO_REUSEADDR")
def test_tcp_client_port_time_wait_bind_plain_control(probe, family, expect):
    run = probe("--rebind", "plain", sysctls=SYSCTLS)
    expect.eq("bind_without_reuseaddr_fails", run["bind"], "EADDRINUSE",
              "without SO_REUSEADDR the bind over the TIME-WAIT port fails with EADDRINUSE")


@pytest.mark.behaviour("tcp_client_port_time_wait_bind")
@pytest.mark.control("net.ipv4.tcp_timestamps=0")
def test_tcp_client_port_time_wait_bind_no_timestamps_control(probe, family, expect):
    """Without timestamps the TIME-WAIT 4-tuple stays taken."""
    run = probe(sysctls={**SYSCTLS, "net.ipv4.tcp_timestamps": 0})
    expect.eq("bind_reuseaddr_over_time_wait", run["bind"], "ok",
              "with SO_REUSEADDR on both, a new socket binds the port the TIME-WAIT socket holds")
    expect.eq("same_peer_taken_without_timestamps", run["connect_same_peer"], "EADDRNOTAVAIL",
              "without timestamps connect() to the same peer fails with EADDRNOTAVAIL: TIME-WAIT keeps the 4-tuple")
    expect.eq("time_wait_kept", run["end_after_connect"], "TIME-WAIT", "the TIME-WAIT socket stays")

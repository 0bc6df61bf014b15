"""socket(7) SO_REUSEADDR: a second bind() to a port in
use fails; SO_REUSEADDR lets two non-listening sockets share a port but never
two listeners (net/ipv4/inet_connection_sock.c inet_bind_conflict()). Over a
TIME-WAIT socket: test_bind_reuseaddr_over_time_wait.py."""
import pytest


@pytest.mark.behaviour("bind_eaddrinuse_reuseaddr")
def test_bind_eaddrinuse_reuseaddr(probe, family, expect):
    run = probe()
    cases = run["cases"]
    expect.eq("bound_port_cannot_bound_again", cases["bound_plain"]["second_bind"], "EADDRINUSE",
              "a bound port cannot be bound again", claim="SEED-10")
    expect.eq("reuseaddr_both_two_sockets_bind", cases["both_reuseaddr"], {"second_bind": "ok", "first_listen": "ok", "second_listen": "EADDRINUSE"},
              "with SO_REUSEADDR on both two sockets bind one port, but only one may listen")
    expect.eq("listeners_port_stays_taken", cases["listener_reuseaddr"]["second_bind"], "EADDRINUSE",
              "a listener's port stays taken")

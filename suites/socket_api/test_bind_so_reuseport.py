"""socket(7) SO_REUSEPORT: several listeners bind one port and the kernel picks
one per connection by a hash of its 4-tuple (net/core/sock_reuseport.c
reuseport_select_sock()). With 24 clients the chance that a fair hash sends
all to one listener is 2 in 2^24."""
import pytest

from sockspec import checks

CLIENTS = 24


@pytest.mark.behaviour("bind_so_reuseport")
def test_bind_so_reuseport(probe, family, expect):
    run = probe("--clients", CLIENTS)
    expect.eq("both_reuseport_listeners_bind_listen", run["listeners"], [{"bind": "ok", "listen": "ok"}] * 2,
              "both SO_REUSEPORT listeners bind and listen")
    expect.true("socket_without_reuseport_cannot_join", run["bind_without_reuseport"] == "EADDRINUSE",
                "a socket without SO_REUSEPORT cannot join")
    expect.eq("client_accepted_exactly", sorted(run["accepted_by"]), sorted(run["client_addrs"]),
              "every client is accepted exactly once")
    counts = run["accepted_counts"]
    expect.true("both_listeners_take_connections", bool(sum(counts) == CLIENTS and min(counts) > 0),
                "both listeners take connections")
    for client in run["client_addrs"]:
        checks.three_way_handshake(run.connection(client, run["server_addr"]), expect)


@pytest.mark.behaviour("bind_so_reuseport")
@pytest.mark.control("neither listener sets SO_REUSEPORT")
def test_bind_so_reuseport_off_control(probe, family, expect):
    """Without the option the second listener's bind() fails and the first takes every connection."""
    run = probe("--clients", CLIENTS, "--no-reuseport")
    expect.eq("listeners", run["listeners"][0], {"bind": "ok", "listen": "ok"},
              "the first listener binds and listens")
    expect.eq("second_bind_port_fails", run["listeners"][1]["bind"], "EADDRINUSE",
              "the second bind() to the port fails")
    expect.eq("listener_takes_connection", run["accepted_counts"], [CLIENTS, 0],
              "one listener takes every connection")

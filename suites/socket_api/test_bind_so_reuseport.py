"""socket(7) SO_REUSEPORT: several listeners bind one port and the kernel picks
one per connection by a hash of its 4-tuple (net/core/sock_reuseport.c
reuseport_select_sock()). With 24 clients the chance that a fair hash sends
all to one listener is 2 in 2^24."""
import pytest

from sockspec import checks

CLIENTS = 24


@pytest.mark.behaviour("bind_so_reuseport")
def test_bind_so_reuseport(probe, family):
    run = probe("--clients", CLIENTS)
    assert run["listeners"] == [{"bind": "ok", "listen": "ok"}] * 2, "both SO_REUSEPORT listeners bind and listen"
    assert run["bind_without_reuseport"] == "EADDRINUSE", "a socket without SO_REUSEPORT cannot join"
    assert sorted(run["accepted_by"]) == sorted(run["client_addrs"]), "every client is accepted exactly once"
    counts = run["accepted_counts"]
    assert sum(counts) == CLIENTS and min(counts) > 0, f"both listeners take connections: {counts}"
    for client in run["client_addrs"]:
        checks.three_way_handshake(run.connection(client, run["server_addr"]))


@pytest.mark.behaviour("bind_so_reuseport")
@pytest.mark.control("neither listener sets SO_REUSEPORT")
def test_bind_so_reuseport_off_control(probe, family):
    """Without the option the second listener's bind() fails and the first takes every connection."""
    run = probe("--clients", CLIENTS, "--no-reuseport")
    assert run["listeners"][0] == {"bind": "ok", "listen": "ok"}
    assert run["listeners"][1]["bind"] == "EADDRINUSE", "the second bind() to the port fails"
    assert run["accepted_counts"] == [CLIENTS, 0], "one listener takes every connection"

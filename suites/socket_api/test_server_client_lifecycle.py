"""The seed's server steps (socket, bind, listen, accept -> a new socket,
send/recv, back to accept, close) and client steps (socket, connect, send/recv,
close), for IPv4 and IPv6; a client that never binds gets an ephemeral port
(ip(7) ip_local_port_range)."""
import pytest

from sockspec import checks

CLIENTS = 2


def server_steps(run):
    """The server's calls in order (getsockname left out): the seed's list of steps."""
    return [c["call"] for c in run.calls(side="server")
            if c["call"] in ("socket", "bind", "listen", "accept", "send", "recv", "close")]


@pytest.mark.behaviour("server_client_lifecycle")
def test_server_client_lifecycle(probe, family, expect):
    run = probe("--clients", CLIENTS)
    clients = run["clients"]
    expect.eq("client_connects", [c["connect"] for c in clients], ["ok"] * CLIENTS, "every client connects", claim="SEED-7")
    expect.eq("server_follows_seeds_steps_back", server_steps(run), ["socket", "bind", "listen"] + ["accept", "recv", "send", "recv", "close"] * CLIENTS \
        + ["close"], "the server follows the seed's steps, back to accept() for each client", claim="SEED-7")
    low, high = run["port_range"]
    for i, c in enumerate(clients, 1):
        expect.true("client_accept_returns_new_descriptor", c["accepted_fd"] != run["listener_fd"],
                    "each client: accept() returns a new descriptor", claim="SEED-7")
        expect.eq("client_accept_names_client", c["accepted_peer"], c["client_addr"],
                  "each client: accept() names the client")
        expect.true("client_data_both_ways", bool(c["server_got"] == f"request {i}" and c["client_got"] == f"reply {i}"),
                    "each client: data both ways")
        expect.true("client_server_reads_eof_clients", c["server_read_eof"],
                    "each client: the server reads EOF after the client's close()")
        expect.true("client_unbound_client_got_ephemeral", low <= c["client_port"] <= high,
                    "each client: the unbound client got an ephemeral port", claim="SEED-7")
    expect.true("no_client_calls_bind", not [c for c in run.calls("bind") if c["side"] != "server"],
                "no client calls bind()")
    expect.true("listener_accepts_second_client_first", run.call("accept", "server", 1)["t_real_ns"] > run.call("close", "server", 0)["end_real_ns"],
                "the listener accepts the second client after the first was served and closed")

    for i, c in enumerate(clients, 1):
        conn = run.connection(c["client_addr"], run["server_addr"])
        checks.three_way_handshake(conn, expect)
        data = [(conn.from_client(s), s.length) for s in conn.segments if s.length]
        expect.eq("client_request_reply_wire", data, [(True, len(f"request {i}")), (False, len(f"reply {i}"))],
                  "each client: one request then one reply on the wire")
        t = checks.teardown(conn)
        expect.eq("client_client_closes_first", t["closer"], "client", "each client: the client closes first")


@pytest.mark.behaviour("server_client_lifecycle")
@pytest.mark.control("the listener closed after the first client")
def test_server_client_lifecycle_closed_listener_control(probe, family, expect):
    """'the listener keeps listening' flips when the server closes it: the second
    client's SYN is answered with RST and connect() gives ECONNREFUSED."""
    run = probe("--clients", CLIENTS, "--close-listener-after", 1)
    clients = run["clients"]
    expect.true("clients_0_connect_ok_clients", bool(clients[0]["connect"] == "ok" and clients[1]["connect"] == "ECONNREFUSED"),
                "the first client connects, the second is refused")
    refused = [c for c in run.calls("connect") if c["ret"] < 0]
    expect.eq("one_client_refused", len(refused), 1, "exactly one client is refused")
    rsts = [s for s in run.segments() if s.has("RST") and str(s.src) == run["server_addr"]]
    expect.true("closed_port_answers_second_syn", bool(rsts), "the closed port answers the second SYN with RST")

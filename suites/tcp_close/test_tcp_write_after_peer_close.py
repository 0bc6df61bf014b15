"""Writing after the peer closed (send(2) EPIPE and SIGPIPE; RFC 9293 §3.10.7.4;
net/ipv4/tcp_input.c tcp_reset(): a CLOSE-WAIT socket that is reset records
EPIPE)."""
import pytest


def check_wire(run):
    conn = run.connection()
    server_fin = conn.first(lambda s: not conn.from_client(s) and s.has("FIN"))
    assert server_fin is not None, "the server's close() sends FIN"
    data_i = conn.first(lambda s: conn.from_client(s) and s.length > 0, server_fin)
    assert data_i is not None, "the client's first write crosses after the FIN"
    assert conn.segments[data_i].length == len("first write\n")
    rst_i = conn.first(lambda s: not conn.from_client(s) and s.has("RST"), data_i)
    assert rst_i is not None, "the closed peer answers the data with RST"
    later = [s for s in conn.segments[data_i + 1:] if conn.from_client(s) and s.length > 0]
    assert not later, "the failed writes send nothing"


@pytest.mark.behaviour("tcp_write_after_peer_close")
def test_tcp_write_after_peer_close(probe, family):
    run = probe()
    assert run["client_state_after_fin"] == "CLOSE-WAIT"
    assert run["first_write"] == str(len("first write\n")), "the first write after the FIN succeeds"
    assert run["sigpipes_after_first"] == 0
    assert run["client_state_after_first"] == "CLOSE", "the RST it drew resets the socket"
    assert run["second_write"] == "EPIPE", "the next write fails with EPIPE (not ECONNRESET: the socket was in CLOSE-WAIT)"
    assert run["sigpipes_after_second"] == 1, "and raises SIGPIPE"
    assert run["third_write"] == "EPIPE" and run["sigpipes_after_third"] == 2, "every later write does the same"
    assert run["read_after"] == "0", "a read after the reset returns 0"
    check_wire(run)


@pytest.mark.behaviour("tcp_write_after_peer_close")
@pytest.mark.control("MSG_NOSIGNAL on every write")
def test_tcp_write_after_peer_close_nosignal_control(probe, family):
    run = probe("--nosignal")
    assert run["second_write"] == "EPIPE" and run["third_write"] == "EPIPE", "the same errors"
    assert run["sigpipes_after_third"] == 0, "MSG_NOSIGNAL: no SIGPIPE"
    check_wire(run)

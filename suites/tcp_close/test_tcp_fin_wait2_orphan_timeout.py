"""An orphaned FIN-WAIT-2 socket lasts net.ipv4.tcp_fin_timeout (tcp(7);
net/ipv4/tcp_input.c tcp_rcv_state_process() hands it to tcp_time_wait() with
tcp_fin_time() as its timer)."""
import pytest

TIMER_TIME_WAIT = 3  # inet_diag idiag_timer of a timewait socket


def check_orphan(run, seconds, expect):
    expect.true("tcp_fin_timeout", run["tcp_fin_timeout"] == seconds, "the namespace's tcp_fin_timeout is the one the test set")
    expect.true("clients_fin_acknowledged_fin_wait", run["fin_wait_2"],
                "the client's FIN was acknowledged: FIN-WAIT-2")
    end = run["client_end"]
    expect.true("timewait_socket_fin_wait_2", bool(end["state"] == "FIN-WAIT-2" and end["timer"] == TIMER_TIME_WAIT),
                "a timewait socket in FIN-WAIT-2")
    expect.true("timer_starts_tcp_fin_timeout", seconds * 1000 - 500 < end["expires_ms"] <= seconds * 1000,
                "its timer starts at net.ipv4.tcp_fin_timeout (read from the kernel)")
    expect.true("socket_disappears_timer_fires", run["gone"], "the socket disappears when the timer fires")
    expect.true("not_timer", run["lived_ms"] >= end["expires_ms"] - 20, "not before its timer")
    expect.eq("peer_never_closed", run["server_state_after"], "CLOSE-WAIT", "the peer never closed")
    conn = run.connection()
    expect.true("client_sends_fin", bool(any(conn.from_client(s) and s.has("FIN") for s in conn.segments)),
                "the client sends a FIN")
    sfin = conn.first(lambda s: not conn.from_client(s) and s.has("FIN"))
    rst = conn.first(lambda s: s.has("RST"))
    expect.true("orphan_expires_silently_rst_comes", bool(rst is None or sfin is not None and rst > sfin),
                "the orphan expires silently (an RST comes only in answer to the peer's FIN at the probe's exit)")


@pytest.mark.behaviour("tcp_fin_wait2_orphan_timeout")
def test_tcp_fin_wait2_orphan_timeout(probe, family, expect):
    check_orphan(probe(sysctls={"net.ipv4.tcp_fin_timeout": 1}), 1, expect=expect)


@pytest.mark.behaviour("tcp_fin_wait2_orphan_timeout")
@pytest.mark.control("net.ipv4.tcp_fin_timeout=2 instead of 1")
def test_tcp_fin_wait2_orphan_timeout_sysctl_control(probe, family, expect):
    """The same check with the sysctl changed: the timer follows it."""
    check_orphan(probe(sysctls={"net.ipv4.tcp_fin_timeout": 2}), 2, expect=expect)


@pytest.mark.behaviour("tcp_fin_wait2_orphan_timeout")
@pytest.mark.control("shutdown(SHUT_WR) instead of close(): the socket is not orphaned")
def test_tcp_fin_wait2_orphan_timeout_not_orphaned_control(probe, family, expect):
    run = probe("--shutdown", sysctls={"net.ipv4.tcp_fin_timeout": 1})
    end = run["client_end"]
    expect.true("fin_wait_2_socket_application", bool(end["state"] == "FIN-WAIT-2" and end["timer"] == 0),
                "a FIN-WAIT-2 socket its application still holds has no timer")

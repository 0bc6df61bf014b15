"""The half-open (SYN) queue. With every handshake's final ACK
dropped, connections stay request sockets. Linux bounds them by the listen
backlog (include/net/inet_connection_sock.h inet_csk_reqsk_queue_is_full():
qlen > backlog); past that, tcp_syncookies decides: 1 answers with a cookie and
keeps nothing, 0 drops the SYN. Without cookies, tcp_max_syn_backlog also
holds back its last quarter for proven peers
(net/ipv4/tcp_input.c tcp_conn_request())."""
import pytest

from sockspec.targets import Fault

DROP_ACKS = Fault("tcp flags == ack", 0)  # every pure ACK: no handshake completes at the server
BACKLOG = 4


def outcomes(run):
    return [c["outcome"] for c in run["clients"]]


@pytest.mark.behaviour("tcp_syn_queue_overflow")
def test_tcp_syn_queue_overflow_drop(probe, family, expect):
    run = probe("--backlog", BACKLOG, "--clients", BACKLOG + 3,
                sysctls={"net.ipv4.tcp_syncookies": 0}, faults=[DROP_ACKS])
    expect.eq("backlog_1_half_open_connections", outcomes(run), ["held"] * (BACKLOG + 1) + ["dropped"] * 2,
              "backlog+1 half-open connections are held, then SYNs are dropped", refutes="SEED-13")
    expect.eq("request_sockets", run["request_sockets"], BACKLOG + 1, "backlog+1 request sockets wait in SYN-RECV", claim="SEED-13")
    expect.eq("none_completed_accept_queue_empty", run["accept_queue"], 0,
              "none completed: the accept queue is empty")
    expect.eq("drops_counted_syn_queue_full", run["counters"]["TCPReqQFullDrop"], 2,
              "the drops are counted as SYN-queue-full drops")
    expect.eq("not_accept_queue_overflows", run["counters"]["ListenOverflows"], 0, "not as accept-queue overflows")
    expect.eq("held_clients_got_their_syn", [c["state"] for c in run["clients"]], ["ESTABLISHED"] * (BACKLOG + 1) + ["SYN-SENT"] * 2,
              "held clients got their SYN+ACK (and think they are connected); dropped ones wait in SYN-SENT")
    for c in run["clients"]:
        conn = run.connection(c["client"], run["server_addr"])
        answered = [s for s in conn.segments if not conn.from_client(s)]
        if c["outcome"] == "held":
            expect.true("syn_ack", bool(answered and answered[0].has("SYN", "ACK")), "a SYN+ACK")
        else:
            expect.true("syn_dropped_without_answer", not answered, "its SYN is dropped without an answer")


@pytest.mark.behaviour("tcp_syn_queue_overflow")
def test_tcp_syn_queue_overflow_cookies(probe, family, expect):
    run = probe("--backlog", BACKLOG, "--clients", BACKLOG + 3,
                sysctls={"net.ipv4.tcp_syncookies": 1}, faults=[DROP_ACKS])
    expect.eq("tcp_syncookies_1_syns_beyond", outcomes(run), ["held"] * (BACKLOG + 1) + ["cookie"] * 2,
              "with tcp_syncookies=1, the SYNs beyond the full SYN queue get a cookie")
    expect.eq("cookie_keeps_no_request_socket", run["request_sockets"], BACKLOG + 1,
              "a cookie keeps no request socket", refutes="SEED-13")
    expect.eq("counters_tcpreqqfulldocookies", run["counters"]["TCPReqQFullDoCookies"], 2,
              "two SYNs found the SYN queue full and got cookies (TCPReqQFullDoCookies)")
    expect.eq("nothing_dropped", run["counters"]["ListenDrops"], 0, "nothing is dropped")
    expect.true("client_got_syn_ack", bool(all(c["state"] == "ESTABLISHED" for c in run["clients"])),
                "every client got a SYN+ACK")


@pytest.mark.behaviour("tcp_syn_queue_overflow")
def test_tcp_syn_queue_overflow_max_syn_backlog(probe, family, expect):
    """A large backlog and tcp_max_syn_backlog = 8 without cookies: the drop
    starts when fewer than 8/4 = 2 free slots remain, after 7 request sockets."""
    run = probe("--backlog", 64, "--clients", 9,
                sysctls={"net.ipv4.tcp_syncookies": 0, "net.ipv4.tcp_max_syn_backlog": 8}, faults=[DROP_ACKS])
    expect.eq("tcp_max_syn_backlog_8", outcomes(run), ["held"] * 7 + ["dropped"] * 2,
              "tcp_max_syn_backlog = 8 holds 7 half-open connections from unproven peers")
    expect.eq("not_backlogs_bound_different_drop", run["counters"]["TCPReqQFullDrop"], 0,
              "not the backlog's bound: a different drop path")


@pytest.mark.behaviour("tcp_syn_queue_overflow")
@pytest.mark.control("net.ipv4.tcp_syncookies=1 with tcp_max_syn_backlog=8")
def test_tcp_syn_queue_overflow_max_syn_backlog_cookies_control(probe, family, expect):
    """The check 'tcp_max_syn_backlog limits the half-open connections' fails
    when cookies are on: that clause applies only without them, and the backlog
    (64) is the only bound."""
    run = probe("--backlog", 64, "--clients", 9,
                sysctls={"net.ipv4.tcp_syncookies": 1, "net.ipv4.tcp_max_syn_backlog": 8}, faults=[DROP_ACKS])
    expect.eq("outcomes", outcomes(run), ["held"] * 9, "every client is held in the SYN queue")

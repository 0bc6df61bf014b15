"""listen() on a listening socket only adjusts its backlog
(net/ipv4/af_inet.c __inet_listen_sk()); the new cap (backlog+1 queued,
include/net/sock.h sk_acceptq_is_full()) applies to the next SYN."""
import pytest

from sockspec import observed


@pytest.mark.behaviour("tcp_listen_again_changes_backlog")
def test_tcp_listen_again_changes_backlog(probe, family, expect):
    run = probe("--first", 1, "--second", 3, "--third", 0)
    expect.eq("backlog_1", run["backlog_1"], 1, "the first listen() sets backlog 1")
    expect.eq("listen_fd_1_two_connections", run["queue_1"], 2,
              "listen(fd, 1): two connections queue, the third SYN is dropped")
    expect.eq("listen_again_listening_socket_succeeds", run["listen_2"], "ok",
              "listen() again on a listening socket succeeds")
    expect.eq("tcp_info_shows_new_backlog", run["backlog_2"], 3, "TCP_INFO shows the new backlog")
    expect.eq("syn_dropped_under_old_cap", run["dropped_client_retransmit"], "queued",
              "the SYN dropped under the old cap fits when it is retransmitted")
    expect.eq("queue_now_fills_new_backlog", run["queue_2"], 4, "the queue now fills to the new backlog + 1")
    expect.eq("outcome_c_clients_queued_queued", [c["outcome"] for c in run["clients"]], ["queued", "queued", "dropped", "queued", "dropped"],
              "clients are queued and dropped as each backlog allows")
    expect.true("listen_can_shrink_backlog_too", bool(run["listen_3"] == "ok" and run["backlog_3"] == 0),
                "listen() can shrink the backlog too")
    expect.eq("connections_already_queued_stay", run["queue_3"], 4, "the connections already queued stay")
    expect.eq("accept_after_shrink", run["accept_after_shrink"], "ok", "accept() after the shrink succeeds")

    dropped = next((c["client"] for c in run["clients"] if c["outcome"] == "dropped"), None)
    if dropped is None:
        # Which SYN was dropped is read from the queue and the overflow counter;
        # a stack that shows neither cannot say which connection to read.
        why = observed.reason_in(run["clients"])
        expect.true("dropped_retransmitted_1_s", observed.Unobservable(why) if why else "no client was dropped",
                    "dropped once, retransmitted after 1 s")
        return
    conn = run.connection(dropped, run["server_addr"])
    syns = [s for s in conn.segments if conn.from_client(s) and s.flags_exactly("SYN")]
    expect.true("dropped_retransmitted_1_s", bool(len(syns) == 2 and syns[1].t_ns - syns[0].t_ns >= 900_000_000),
                "dropped once, retransmitted after 1 s")
    second_listen = run.call("listen", "server", 1)
    expect.true("second_listen_between_syns", syns[0].t_ns < second_listen["t_real_ns"] < syns[1].t_ns,
                "the second listen() falls between the two SYNs")
    expect.eq("retransmitted_syn_answered", [s.label for s in conn.segments[2:4]], ["SYN+ACK", "ACK"],
              "the retransmitted SYN is answered")


@pytest.mark.behaviour("tcp_listen_again_changes_backlog")
@pytest.mark.control("the second listen() keeps the same backlog")
def test_tcp_listen_again_changes_backlog_same_control(probe, family, expect):
    """The check 'the dropped SYN fits when retransmitted' fails when the
    second listen() does not raise the backlog."""
    run = probe("--first", 1, "--second", 1, "--third", 1)
    expect.eq("backlog_2", run["backlog_2"], 1, "the second listen() sets backlog 1")
    expect.eq("retransmitted_syn_dropped_again", run["dropped_client_retransmit"], "dropped",
              "the retransmitted SYN is dropped again")
    expect.eq("queue_2", run["queue_2"], 2, "the queue keeps the 2 connections it had")

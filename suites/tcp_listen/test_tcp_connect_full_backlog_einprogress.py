"""listen(2), connect(2) EINPROGRESS: a TCP listener whose accept queue is full drops
the SYN; connect() never fails with EAGAIN, as it does for AF_UNIX
(suites/unix/test_unix_listen_backlog_blocks.py), and the client waits in SYN-SENT."""
import pytest

from sockspec import checks, observed


@pytest.mark.behaviour("tcp_connect_full_backlog_einprogress")
def test_tcp_connect_full_backlog_einprogress(probe, family, expect):
    run = probe("--backlog", 1, "--sndtimeo-ms", 100)
    expect.true("tcps_connect_never_fails_eagain", "EAGAIN" not in run["nonblocking_connects"],
                "TCP's connect() never fails with EAGAIN for a full queue")
    expect.eq("nonblocking_connects_einprogress", set(run["nonblocking_connects"]), {"EINPROGRESS"},
              "every non-blocking connect() beyond the backlog gives EINPROGRESS")
    expect.ge("syn_full_queue_dropped_tcpext", run["listen_overflows"], 1,
              "the SYN to the full queue was dropped (TcpExt ListenOverflows)")
    expect.eq("dropped_client_keeps_waiting_syn", run["overflowed_client_state"], "SYN-SENT",
              "the dropped client keeps waiting in SYN-SENT")
    expect.eq("tcp_connect_times_out_sndtimeo", run["timed_connect"], "EINPROGRESS",
              "a TCP connect() that times out on SO_SNDTIMEO reports EINPROGRESS")
    if "client_addr" not in run.observations:  # no client was seen dropped: no connection to read
        unknown = observed.wrap(run.observations.get("overflowed_client_state", "no client was seen dropped"))
        expect.true("overflowed_clients_syn_gets_no", unknown,
                    "the overflowed client's SYN gets no answer on the wire")
        return
    conn = run.connection()
    pic = checks.labels(conn)
    expect.true("overflowed_clients_syn_gets_no", bool(pic and set(pic) == {"c>SYN"}),
                "the overflowed client's SYN gets no answer on the wire")

"""SEED-12, SEED-13: listen()'s backlog caps the accept queue. On Linux
backlog+1 connections complete (include/net/sock.h sk_acceptq_is_full() tests
ack_backlog > max_ack_backlog); a SYN that finds the queue full is dropped
without an answer (tcp_conn_request(), TcpExt ListenOverflows), and the client
retransmits it after the initial RTO of 1 s (RFC 6298 §2.1, TCP_TIMEOUT_INIT)."""
import pytest

from sockspec import flow

EXTRA_CLIENTS = 2


def check_dropped_clients_retransmit(run):
    """Every client whose SYN was dropped sent it again about a second later and got no SYN+ACK."""
    dropped = [c["client"] for c in run["clients"] if c["outcome"] == "dropped"]
    assert dropped, "some clients were dropped"
    assert run["retransmitted_syns_dropped"] is True
    for client in dropped:
        conn = run.connection(client, run["server_addr"])
        syns = [s for s in conn.segments if conn.from_client(s) and s.flags_exactly("SYN")]
        assert len(syns) >= 2, f"{client}: the dropped SYN is retransmitted (saw {len(syns)} SYN)"
        assert syns[1].t_ns - syns[0].t_ns >= 900_000_000, \
            f"{client}: the retransmission waits the initial RTO of 1 s"
        assert not [s for s in conn.segments if not conn.from_client(s)], \
            f"{client}: the server sends nothing back, not even RST, to a SYN it drops"


@pytest.mark.behaviour("tcp_listen_backlog")
@pytest.mark.parametrize("backlog", [0, 1, 4])
def test_tcp_listen_backlog(probe, family, backlog, claims):
    run = probe("--backlog", backlog, "--clients", backlog + 1 + EXTRA_CLIENTS)
    assert run["backlog_effective"] == backlog
    assert run["queued"] == backlog + 1, "backlog+1 connections complete without accept()"
    assert run["queue_length"] == backlog + 1
    assert run["dropped"] == EXTRA_CLIENTS, "every further SYN is dropped"
    assert run["client_states"] == ["ESTABLISHED"] * (backlog + 1) + ["SYN-SENT"] * EXTRA_CLIENTS

    for c in run["clients"][: backlog + 1]:
        conn = run.connection(c["client"], run["server_addr"])
        assert [s.label for s in conn.segments[:3]] == ["SYN", "SYN+ACK", "ACK"], \
            f"{c['client']}: a queued connection completed its handshake"
    check_dropped_clients_retransmit(run)
    claims.verdict("SEED-13", "holds",
                   f"with listen({backlog}) the accept queue held {run['queued']} completed connections; "
                   "further SYNs were dropped without a SYN+ACK (ListenOverflows) and retransmitted after 1 s")


@pytest.mark.behaviour("tcp_listen_backlog")
def test_tcp_listen_backlog_is_not_under_30(probe, family, claims):
    """The seed's 'generally under 30': Linux takes a backlog up to
    net.core.somaxconn (4096 by default since 5.4) and fills it."""
    run = probe("--backlog", 40, "--clients", 43, "--wait-retransmit", "false")
    assert run["backlog_effective"] == 40
    assert run["queued"] == 41, "41 connections complete with listen(fd, 40)"
    assert run["dropped"] == 2
    big = probe("--backlog", 100000, "--clients", 0)
    assert big["backlog_effective"] == big["somaxconn"] == 4096, \
        "a larger backlog is silently capped at net.core.somaxconn"
    claims.verdict("SEED-12", "partly",
                   "the backlog caps only the completed (accept) queue, at backlog+1 connections; the half-open "
                   "queue has its own limit (tcp_max_syn_backlog). Linux accepts any backlog up to "
                   f"net.core.somaxconn = {big['somaxconn']}: listen(fd, 40) queued {run['queued']} connections, "
                   "not 'under 30'")


@pytest.mark.behaviour("tcp_listen_backlog")
@pytest.mark.control("net.core.somaxconn=2 in the namespace")
def test_tcp_listen_backlog_somaxconn_control(probe, family):
    """The check 'backlog+1 complete' fails once somaxconn is below the backlog:
    the cap applies at listen() time, and only somaxconn+1 complete."""
    run = probe("--backlog", 4, "--clients", 4 + 1 + EXTRA_CLIENTS, sysctls={"net.core.somaxconn": 2})
    assert run["somaxconn"] == 2
    assert run["backlog_effective"] == 2
    assert run["queued"] == 3 != 4 + 1, "somaxconn+1 connections complete, not backlog+1"
    assert run["dropped"] == 4
    check_dropped_clients_retransmit(run)

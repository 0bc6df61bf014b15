"""udp(7), socket(7) SO_RCVBUF/SO_RXQ_OVFL: a full receive buffer drops datagrams, and the drops are counted."""
import pytest

from sockspec.checks import udp as checks_udp


@pytest.mark.behaviour("udp_rcvbuf_overflow_drops")
def test_udp_rcvbuf_overflow_drops(probe, family, expect):
    run = probe("--rcvbuf", 4096, "--datagrams", 20, "--size", 1000)
    expect.eq("kernel_doubles_rcvbuf_value_bookkeeping", run["rcvbuf_effective"], 2 * 4096,
              "the kernel doubles the SO_RCVBUF value for bookkeeping overhead")
    expect.true("sendto_succeeded_sender_not_told", bool(run["sent"] == 20 and run["all_handled_before_reading"] is True),
                "every sendto() succeeded: the sender is not told about drops", claim="SEED-8")
    dropped = run["sent"] - run["received"]
    expect.true("some_datagrams_fit_small_buffer", 0 < run["received"] < run["sent"],
                "some datagrams fit in the small buffer, the rest were dropped")
    expect.eq("udp_rcvbuferrors_counts_dropped_datagram", run["rcvbuf_errors"], dropped,
              "Udp RcvbufErrors counts each dropped datagram", claim="SEED-8")
    expect.true("rxq_ovfl_next_queued_datagram", run["rxq_ovfl_reported"] == dropped,
                "SO_RXQ_OVFL on the next queued datagram reports the socket's drop count")
    expect.eq("drained_socket_queues_datagrams_again", run["after_drain_data"], "after the drain",
              "once drained, the socket queues datagrams again")

    wire = checks_udp.datagrams(run.packets, run["client_addr"], run["server_addr"])
    expect.true("datagram_dropped_not_crossed_wire", bool(len(wire) == run["sent"] + 1 and all(d.length == 1000 for d in wire[:-1])),
                "every datagram, dropped or not, crossed the wire: the drops happen at the receiving socket")


@pytest.mark.behaviour("udp_rcvbuf_overflow_drops")
@pytest.mark.control("default SO_RCVBUF (no small buffer)")
def test_udp_rcvbuf_overflow_drops_default_buffer_control(probe, family, expect):
    run = probe("--rcvbuf", 0, "--datagrams", 20, "--size", 1000)
    expect.true("default_buffer_datagram_queued", run["received"] == run["sent"] == 20,
                "with the default buffer every datagram is queued")
    expect.eq("rcvbuf_errors", run["rcvbuf_errors"], 0, "no datagram is dropped (Udp RcvbufErrors)")
    expect.true("no_drops_rxq_ovfl_attaches", run["rxq_ovfl_reported"] is None,
                "no drops: SO_RXQ_OVFL attaches no control message")

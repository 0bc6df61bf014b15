"""recv(2) MSG_PEEK: a datagram read without removing it from the queue."""
import pytest


@pytest.mark.behaviour("udp_msg_peek_keeps_datagram")
def test_udp_msg_peek_keeps_datagram(probe, family, expect):
    run = probe()
    expect.true("both_datagrams_queued", run["both_queued"], "both datagrams were delivered before the first read")
    expect.eq("peeks_return_first_datagram", run["reads"][:2], ["first", "first"],
              "each MSG_PEEK read returns the first datagram and leaves it queued")
    expect.eq("plain_reads_take_in_order", run["reads"][2:], ["first", "second"],
              "the plain reads after the peeks take the first datagram, then the second")


@pytest.mark.behaviour("udp_msg_peek_keeps_datagram")
@pytest.mark.control("the first two reads without MSG_PEEK")
def test_udp_msg_peek_keeps_datagram_no_peek_control(probe, family, expect):
    run = probe("--no-peek")
    expect.true("both_datagrams_queued", run["both_queued"], "both datagrams were delivered before the first read")
    expect.eq("plain_reads_consume", run["reads"], ["first", "second", "EAGAIN", "EAGAIN"],
              "without MSG_PEEK each read takes a datagram: the queue is empty after two")

"""RFC 9293 §3.8.4 (RFC 1122 §4.2.3.6): a keep-alive segment carries
SEG.SEQ = SND.NXT-1 and no data, so that the peer must answer it with an ACK
(net/ipv4/tcp_output.c tcp_xmit_probe_skb(): "Use a previous sequence")."""
import pytest


@pytest.mark.behaviour("tcp_keepalive_probe_sequence")
def test_tcp_keepalive_probe_sequence(probe, family, expect):
    run = probe()
    expect.eq("keepalive_is_old_sequence_ack", run["keepalive_segment"],
              {"flags": "ACK", "seq_from_snd_nxt": -1, "ack_from_peer_nxt": 0, "len": 0},
              "the keepalive to a silent peer is a bare ACK with seq = SND.NXT-1, ack = RCV.NXT and no data")


@pytest.mark.behaviour("tcp_keepalive_probe_sequence")
@pytest.mark.control("SO_KEEPALIVE stays off")
def test_tcp_keepalive_probe_sequence_off_control(probe, family, expect):
    run = probe("--keepalive", "false")
    expect.eq("no_keepalive_without_so_keepalive", run["keepalive_segment"], "none",
              "without SO_KEEPALIVE the server sends nothing to the silent peer within 4 s")

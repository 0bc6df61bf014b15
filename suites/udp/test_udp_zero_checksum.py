"""RFC 768, RFC 8200 §8.1, RFC 6936: a zero UDP checksum means none over IPv4 and is refused over IPv6."""
import pytest

from sockspec.checks import udp as checks_udp


def _checksums(run):
    return [d.checksum for d in checks_udp.datagrams(run.packets, run["client_addr"], run["server_addr"])]


@pytest.mark.behaviour("udp_zero_checksum")
def test_udp_zero_checksum(probe, family, expect):
    run = probe()
    expect.eq("no_checksum_option_accepted", run["no_checksum_option"], "ok",
              "SO_NO_CHECK (UDP_NO_CHECK6_TX) is accepted")
    expect.eq("checksum_zero_on_wire", _checksums(run), [0], "the datagram crosses the wire with checksum 0")
    if family == "inet":
        expect.eq("ipv4_accepts_zero_checksum", run["received"], ["unchecked", "fence"],
                  "over IPv4 checksum 0 means none was computed: the datagram is delivered")
        expect.eq("ipv4_no_checksum_error", run["checksum_errors"], 0, "and no checksum error is counted")
    else:
        expect.eq("ipv6_drops_zero_checksum", run["received"], ["fence"],
                  "over IPv6 a zero checksum is invalid: the datagram is dropped")
        expect.eq("ipv6_counts_checksum_error", run["checksum_errors"], 1, "and counted in Udp6InCsumErrors")


@pytest.mark.behaviour("udp_zero_checksum")
def test_udp_zero_checksum_rx_accepts_zero(probe, family, expect):
    """RFC 6936: a receiver may opt in to zero checksums (UDP_NO_CHECK6_RX)."""
    run = probe("--rx-accepts-zero")
    expect.eq("opted_in_receiver_accepts_zero", run["received"], ["unchecked", "fence"],
              "a receiver that set UDP_NO_CHECK6_RX (IPv6; IPv4 needs nothing) delivers the unchecked datagram")


@pytest.mark.behaviour("udp_zero_checksum")
@pytest.mark.control("checksums left on")
def test_udp_zero_checksum_checksum_on_control(probe, family, expect):
    run = probe("--checksum")
    expect.true("checksum_nonzero_on_wire", bool(_checksums(run) and all(c != 0 for c in _checksums(run))),
                "with checksums on, the checksum field on the wire is not 0")
    expect.eq("checked_datagram_delivered", run["received"], ["unchecked", "fence"],
              "and the datagram is delivered in both families")

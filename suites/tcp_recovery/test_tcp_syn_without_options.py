"""A peer whose SYN carries no options (RFC 9293 §3.7.1: MSS 536 by default;
RFC 8200 §5: IPv6's 1280-byte minimum MTU makes it 1220 in Linux,
tcp_request_sock_ipv6_ops.mss_clamp; RFC 7323 §1.3, §3.2: no window scale,
no timestamps unless both offer them; RFC 2018 §2: SACK only if permitted)."""
import pytest

DEFAULT_MSS = {"inet": 536, "inet6": 1220}


def chunks(total, mss):
    return [mss] * (total // mss) + ([total % mss] if total % mss else [])


@pytest.mark.behaviour("tcp_syn_without_options")
def test_tcp_syn_without_options(probe, family, expect):
    run = probe()
    mss = DEFAULT_MSS[family]
    expect.eq("synack_offers_only_mss", run["synack_options"],
              {"mss": True, "sack_permitted": False, "timestamps": False, "wscale": False},
              "the SYN+ACK to an option-less SYN carries its own MSS and no SACK-permitted, timestamps or window scale")
    expect.eq("default_mss_segments", run["data_lengths"], chunks(3000, mss),
              "the kernel's data segments are at most the default MSS: 536 bytes, 1220 over IPv6")
    expect.eq("default_maxseg", run["server_maxseg"], mss, "TCP_MAXSEG reports the default MSS")
    expect.eq("no_timestamps_in_data", run["data_timestamps"], [False] * len(chunks(3000, mss)),
              "the kernel's data segments carry no timestamps")
    expect.eq("windows_unscaled", run["server_wscale"], {"snd": 0, "rcv": 0},
              "neither direction's window is scaled (TCP_INFO snd_wscale, rcv_wscale 0)")


@pytest.mark.behaviour("tcp_syn_without_options")
@pytest.mark.control("the SYN offers MSS 1400, SACK, timestamps and window scale 7")
def test_tcp_syn_without_options_all_offered_control(probe, family, expect):
    run = probe("--all-options")
    expect.eq("synack_answers_every_option", run["synack_options"],
              {"mss": True, "sack_permitted": True, "timestamps": True, "wscale": True},
              "the SYN+ACK to a SYN offering every option answers each of them")
    expect.eq("offered_mss_less_timestamps", run["data_lengths"], chunks(3000, 1400 - 12),
              "the data segments are the offered MSS less the 12 bytes of the timestamp option")
    expect.eq("timestamps_in_data", run["data_timestamps"], [True] * len(chunks(3000, 1400 - 12)),
              "every data segment carries timestamps")
    expect.eq("send_window_scaled_by_7", run["server_wscale"]["snd"], 7, "the peer's window is scaled by its 7")

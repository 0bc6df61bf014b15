"""A peer that offers a tiny MSS gets segments of net.ipv4.tcp_min_snd_mss
bytes, not smaller (ip-sysctl.rst tcp_min_snd_mss, default 48;
net/ipv4/tcp_output.c __tcp_mtu_to_mss(); the fix of CVE-2019-11479). RFC 9293
§3.7.1 lets the receiver's MSS bound the segments; RFC 6691 §2 leaves a
floor to the sender."""
import pytest


@pytest.mark.behaviour("tcp_synack_mss_floor")
def test_tcp_synack_mss_floor(probe, family, expect):
    run = probe(sysctls={"net.ipv4.tcp_min_snd_mss": 48})
    expect.eq("mss_one_raised_to_floor", run["first_data_len"], 48,
              "with the peer offering MSS 1 the kernel's first data segment carries tcp_min_snd_mss (48) bytes")
    expect.eq("snd_mss_is_floor", run["snd_mss"], 48, "TCP_INFO's snd_mss is the floor, 48")


@pytest.mark.behaviour("tcp_synack_mss_floor")
@pytest.mark.control("net.ipv4.tcp_min_snd_mss=64")
def test_tcp_synack_mss_floor_sysctl_control(probe, family, expect):
    run = probe(sysctls={"net.ipv4.tcp_min_snd_mss": 64})
    expect.eq("raised_floor_used", run["first_data_len"], 64,
              "with tcp_min_snd_mss=64 the kernel's segments to a peer offering MSS 1 carry 64 bytes")


@pytest.mark.behaviour("tcp_synack_mss_floor")
@pytest.mark.control("the peer offers MSS 100, above the floor")
def test_tcp_synack_mss_floor_above_floor_control(probe, family, expect):
    run = probe("--mss", "100", sysctls={"net.ipv4.tcp_min_snd_mss": 48})
    expect.eq("mss_above_floor_used", run["first_data_len"], 100,
              "an MSS of 100, above the floor, is used as offered")
    expect.eq("snd_mss_as_offered", run["snd_mss"], 100, "TCP_INFO's snd_mss is the offered 100")

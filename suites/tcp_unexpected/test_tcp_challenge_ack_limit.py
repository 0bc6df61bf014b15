"""RFC 5961 §7: challenge ACKs are rate-limited. Linux allows
net.ipv4.tcp_challenge_ack_limit per second (per namespace since 6.0, global
before; a random count between limit/2 and 3*limit/2, which for a limit of 1
is exactly 1), besides a per-socket limit of one per
net.ipv4.tcp_invalid_ratelimit ms, turned off here (net/ipv4/tcp_input.c
tcp_send_challenge_ack())."""
import pytest

RSTS = 4
PER_SOCKET_LIMIT_OFF = {"net.ipv4.tcp_invalid_ratelimit": 0}


@pytest.mark.behaviour("tcp_challenge_ack_limit")
def test_tcp_challenge_ack_limit(probe, family, expect):
    run = probe("--rsts", RSTS, sysctls={**PER_SOCKET_LIMIT_OFF, "net.ipv4.tcp_challenge_ack_limit": 1})
    # Two when the burst straddles a second boundary: the limit is per second of jiffies.
    expect.between("limit_one_allows_one_per_second", len(run["answers"]), 1, 2,
                   f"with tcp_challenge_ack_limit=1, {RSTS} in-window RSTs within a second draw one challenge ACK "
                   "(two if they straddle a second)")
    expect.eq("answers_are_acks", sorted(set(run["answers"])), ["ACK"], "every answer is a bare ACK")


@pytest.mark.behaviour("tcp_challenge_ack_limit")
@pytest.mark.control("a limit far above the burst")
def test_tcp_challenge_ack_limit_high_limit_control(probe, family, expect):
    run = probe("--rsts", RSTS, sysctls={**PER_SOCKET_LIMIT_OFF, "net.ipv4.tcp_challenge_ack_limit": 1000000})
    expect.eq("high_limit_answers_every_rst", run["answers"], ["ACK"] * RSTS,
              f"with a limit of 10^6 per second each of the {RSTS} in-window RSTs draws a challenge ACK")

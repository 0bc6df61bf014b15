"""TCP_LINGER2 overrides net.ipv4.tcp_fin_timeout for one socket (tcp(7)
TCP_LINGER2; include/net/tcp.h tcp_fin_time())."""
import pytest

TIMER_TIME_WAIT = 3  # inet_diag idiag_timer of a timewait socket
SYSCTLS = {"net.ipv4.tcp_fin_timeout": 30}


def check_orphan_timer(run, seconds, expect):
    expect.true("client_fin_wait_2", run["fin_wait_2"], "the client's FIN is acknowledged: FIN-WAIT-2")
    end = run["client_end"]
    expect.eq("timewait_socket_fin_wait_2", [end["state"], end["timer"]], ["FIN-WAIT-2", TIMER_TIME_WAIT],
              "the orphan is a timewait socket in FIN-WAIT-2 with the TIME_WAIT timer")
    # In whole seconds: the timer has run for a few ms when it is read.
    expect.eq("orphan_timer_seconds", round(end["expires_ms"] / 1000), seconds,
              "the orphan's timer starts at the expected lifetime (read from the kernel, in seconds)")


@pytest.mark.behaviour("tcp_linger2_orphan_timer")
def test_tcp_linger2_orphan_timer(probe, family, expect):
    run = probe("--linger2", 3, sysctls=SYSCTLS)
    expect.eq("tcp_fin_timeout", run["tcp_fin_timeout"], 30, "the namespace's tcp_fin_timeout is the one the test set")
    check_orphan_timer(run, 3, expect)


@pytest.mark.behaviour("tcp_linger2_orphan_timer")
@pytest.mark.control("TCP_LINGER2 not set")
def test_tcp_linger2_orphan_timer_unset_control(probe, family, expect):
    """Without TCP_LINGER2 the same timer follows net.ipv4.tcp_fin_timeout."""
    check_orphan_timer(probe("--linger2", 0, sysctls=SYSCTLS), 30, expect)

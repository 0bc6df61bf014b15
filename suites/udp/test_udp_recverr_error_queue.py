"""ip(7)/ipv6(7) IP_RECVERR, recvmsg(2) MSG_ERRQUEUE: the ICMP error as a queued message."""
import pytest

from sockspec.checks import udp as checks_udp

# The ICMP message each family answers a closed UDP port with, as sock_extended_err spells it.
PORT_UNREACHABLE = {"inet": {"origin": 2, "type": 3, "code": 3},    # SO_EE_ORIGIN_ICMP
                    "inet6": {"origin": 3, "type": 1, "code": 4}}   # SO_EE_ORIGIN_ICMP6


def _icmp_on_wire(run, expect):
    client_ip = run["client_addr"].rpartition(":")[0].strip("[]")
    expect.eq("icmp_port_unreachable_on_wire", len(checks_udp.port_unreachables(run.packets, to_ip=client_ip)), 1,
              "the datagram is answered by one ICMP(v6) port unreachable on the wire")
    expect.true("icmp_reached_client_stack", run["icmp_arrived"], "the ICMP message reached the client's stack")


@pytest.mark.behaviour("udp_recverr_error_queue")
def test_udp_recverr_error_queue(probe, family, expect):
    run = probe()
    _icmp_on_wire(run, expect)
    expect.eq("errqueue_returns_failed_datagram", run["errqueue_read"], "11",
              "recvmsg(MSG_ERRQUEUE) returns the failed datagram's 11 bytes")
    expect.eq("errqueue_payload", run.observations.get("errqueue_data"), "nobody home",
              "the queued message carries the datagram's payload")
    expect.eq("errqueue_msg_flags", run.observations.get("errqueue_msg_flags"), "MSG_ERRQUEUE",
              "msg_flags says MSG_ERRQUEUE")
    expect.eq("errqueue_names_destination", run.observations.get("errqueue_name"), run["server_addr"],
              "msg_name is the address the datagram was sent to")
    err = run.observations.get("extended_err") or {}
    expect.eq("extended_err_econnrefused", err.get("errno") if isinstance(err, dict) else err, "ECONNREFUSED",
              "the sock_extended_err's ee_errno is ECONNREFUSED")
    expect.eq("extended_err_icmp_origin_type_code",
              {k: err.get(k) for k in ("origin", "type", "code")} if isinstance(err, dict) else err,
              PORT_UNREACHABLE[family], "its origin is ICMP (ICMPv6) and its type and code are port unreachable's")
    loopback = "127.0.0.1" if family == "inet" else "::1"
    expect.eq("extended_err_offender", err.get("offender") if isinstance(err, dict) else err, loopback,
              "SO_EE_OFFENDER is the host that sent the ICMP message")
    expect.eq("errqueue_emptied_by_read", run["errqueue_second_read"], "EAGAIN",
              "one read empties the error queue: the next one fails with EAGAIN")


@pytest.mark.behaviour("udp_recverr_error_queue")
@pytest.mark.control("IP_RECVERR / IPV6_RECVERR left off")
def test_udp_recverr_error_queue_option_off_control(probe, family, expect):
    run = probe("--no-recverr")
    _icmp_on_wire(run, expect)
    expect.eq("errqueue_empty_without_option", run["errqueue_read"], "EAGAIN",
              "without the option the same ICMP queues nothing: MSG_ERRQUEUE finds EAGAIN")

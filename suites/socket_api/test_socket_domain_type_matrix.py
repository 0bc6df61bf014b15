"""socket(domain, type, protocol) over AF_INET, AF_INET6, AF_UNIX x
SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW, SOCK_RDM, SOCK_PACKET x 0,
IPPROTO_TCP, IPPROTO_UDP. The expected outcomes are what Linux does, from
net/socket.c __sock_create() (AF_INET + SOCK_PACKET becomes AF_PACKET),
net/ipv4/af_inet.c inet_create() and net/ipv6/af_inet6.c inet6_create() (the
inetsw lookup: no entry for the type -> ESOCKTNOSUPPORT, no protocol match ->
EPROTONOSUPPORT, SOCK_RAW without CAP_NET_RAW -> EPERM), net/unix/af_unix.c
unix_create() (protocol must be 0; SOCK_RAW is made SOCK_DGRAM) and
net/packet/af_packet.c packet_create() (CAP_NET_RAW first)."""
import pytest

DOMAINS = ["AF_INET", "AF_INET6", "AF_UNIX"]
TYPES = ["SOCK_STREAM", "SOCK_DGRAM", "SOCK_SEQPACKET", "SOCK_RAW", "SOCK_RDM", "SOCK_PACKET"]
PROTOCOLS = ["0", "IPPROTO_TCP", "IPPROTO_UDP"]
NEED_CAP_NET_RAW = {("AF_INET", "SOCK_RAW"), ("AF_INET6", "SOCK_RAW"), ("AF_INET", "SOCK_PACKET")}


def expected(domain: str, type_: str, protocol: str) -> str:
    """What Linux returns for this socket() call with CAP_NET_RAW."""
    if domain == "AF_UNIX":
        if protocol != "0":
            return "EPROTONOSUPPORT"
        return "ESOCKTNOSUPPORT" if type_ in ("SOCK_RDM", "SOCK_PACKET") else "ok"
    if type_ == "SOCK_PACKET":
        return "ok" if domain == "AF_INET" else "ESOCKTNOSUPPORT"
    if type_ in ("SOCK_SEQPACKET", "SOCK_RDM"):
        return "ESOCKTNOSUPPORT"
    if type_ == "SOCK_RAW":
        return "EPROTONOSUPPORT" if protocol == "0" else "ok"
    own = {"SOCK_STREAM": "IPPROTO_TCP", "SOCK_DGRAM": "IPPROTO_UDP"}[type_]
    return "ok" if protocol in ("0", own) else "EPROTONOSUPPORT"


def expected_unprivileged(domain: str, type_: str, protocol: str) -> str:
    """Without CAP_NET_RAW: raw and packet sockets that would be made give EPERM."""
    outcome = expected(domain, type_, protocol)
    return "EPERM" if outcome == "ok" and (domain, type_) in NEED_CAP_NET_RAW else outcome


def matrix(fn) -> dict[str, str]:
    return {f"{d} {t} {p}": fn(d, t, p) for d in DOMAINS for t in TYPES for p in PROTOCOLS}


def made(run, key: str, field: str | None = None):
    """What the socket() of `key` made (one field of it), or the call's outcome when it made none."""
    socket = run["privileged_created"].get(key)
    if socket is None:
        return f"no socket: socket() gave {run['privileged'].get(key)}"
    return socket if field is None else socket[field]


def differences(seen: dict, want: dict) -> dict:
    return {k: (seen.get(k), v) for k, v in want.items() if seen.get(k) != v}


@pytest.mark.behaviour("socket_domain_type_matrix")
def test_socket_domain_type_matrix(probe, family, expect):
    run = probe()
    expect.true("probe_runs_cap_net_raw", run["privileged_has_cap_net_raw"], "the probe runs with CAP_NET_RAW")
    seen = run["privileged"]
    expect.eq("socket_outcomes_expected_differ", differences(seen, matrix(expected)), {},
              "socket() outcomes (seen, expected) that differ")
    expect.eq("every_combination_tried", len(run.calls("socket", "privileged")), len(DOMAINS) * len(TYPES) * len(PROTOCOLS),
              "socket() was called for every domain, type and protocol")

    for d in ("AF_INET", "AF_INET6"):
        for p in ("0", "IPPROTO_TCP"):
            expect.eq("sock_stream_protocol_tcp_socket", made(run, f"{d} SOCK_STREAM {p}"), {"domain": d, "type": "SOCK_STREAM", "protocol": 6},
                      "AF_INET and AF_INET6 SOCK_STREAM with protocol 0 or IPPROTO_TCP is a TCP socket", claim="SEED-8")
        expect.eq("sock_dgram_protocol_0_udp", made(run, f"{d} SOCK_DGRAM 0", "protocol"), 17,
                  "AF_INET and AF_INET6 SOCK_DGRAM with protocol 0 is UDP", claim="SEED-8")
    expect.eq("af_unix_turns_sock_raw", made(run, "AF_UNIX SOCK_RAW 0", "type"), "SOCK_DGRAM",
              "AF_UNIX turns SOCK_RAW into SOCK_DGRAM")
    expect.eq("af_inet_sock_packet_af", made(run, "AF_INET SOCK_PACKET 0", "domain"), "AF_PACKET",
              "AF_INET + SOCK_PACKET is an AF_PACKET socket")
    expect.eq("created_af_unix_sock_seqpacket_0_type", made(run, "AF_UNIX SOCK_SEQPACKET 0", "type"), "SOCK_SEQPACKET",
              "AF_UNIX SOCK_SEQPACKET is a SOCK_SEQPACKET socket")
    expect.eq("socket_alone_sends_nothing", run.packets, [], "socket() alone sends nothing")
    # The seed's SOCK_SEQPACKET, SOCK_RDM and SOCK_PACKET for IP sockets: Linux has none of them.
    ip_types = {t: seen.get(f"AF_INET {t} 0") for t in ("SOCK_SEQPACKET", "SOCK_RDM")}
    expect.eq("ip_seqpacket_rdm_unsupported", ip_types, {"SOCK_SEQPACKET": "ESOCKTNOSUPPORT",
                                                        "SOCK_RDM": "ESOCKTNOSUPPORT"},
              "AF_INET has no SOCK_SEQPACKET or SOCK_RDM socket (ESOCKTNOSUPPORT)", refutes="SEED-8")
    expect.eq("sock_packet_is_af_packet", made(run, "AF_INET SOCK_PACKET 0", "domain"), "AF_PACKET",
              "AF_INET + SOCK_PACKET is an obsolete AF_PACKET socket, not an IP one", refutes="SEED-8")
    for d in ("AF_INET", "AF_INET6"):
        expect.eq("protocol_0_or_tcp_same", [made(run, f"{d} SOCK_STREAM {p}", "protocol") for p in ("0", "IPPROTO_TCP")],
                  [6, 6], "protocol 0 and IPPROTO_TCP both give TCP for SOCK_STREAM", claim="SEED-9")



@pytest.mark.behaviour("socket_domain_type_matrix")
@pytest.mark.control("CAP_NET_RAW dropped with capset(2)")
def test_socket_domain_type_matrix_without_cap_net_raw_control(probe, family, expect):
    """The raw and packet sockets the main test sees made fail with EPERM once
    the calling thread lacks CAP_NET_RAW; every other outcome stays the same."""
    run = probe()
    expect.true("unprivileged_thread_really_lost_cap", run["capset_dropped_cap_net_raw"],
                "the unprivileged thread really lost CAP_NET_RAW")
    seen = run["unprivileged"]
    expect.eq("socket_outcomes_expected_differ", differences(seen, matrix(expected_unprivileged)), {},
              "socket() outcomes (seen, expected) that differ")
    flipped = sorted(k for k in seen if seen[k] != run["privileged"][k])
    expect.eq("exactly_raw_packet_sockets_flip", flipped, sorted(k for k, v in matrix(expected).items()
                             if v == "ok" and tuple(k.split()[:2]) in NEED_CAP_NET_RAW), "exactly the raw and packet sockets flip")
    expect.true("k_eperm_k_flipped", bool(all(seen[k] == "EPERM" for k in flipped)),
                "each socket() that flipped fails with EPERM")
    expect.eq("capset_succeeds", run.call("capset", "unprivileged")["ret"], 0,
              "capset() succeeds")

"""bind(2) EINVAL: "The socket is already bound to an address"
(net/ipv4/af_inet.c __inet_bind() refuses a socket whose inet_num is set)."""
import pytest

from sockspec import checks


@pytest.mark.behaviour("bind_twice")
def test_bind_twice(probe, family, expect):
    run = probe()
    for proto in ("tcp", "udp"):
        r = run["rebinds"][proto]
        expect.eq("binding_again_same_address_fails", r["rebind_same"], "EINVAL",
                  "binding again to the same address fails with EINVAL")
        expect.true("binding_again_another_port_fails", r["rebind_port_zero"] == "EINVAL",
                    "binding again to another port fails with EINVAL")
        expect.true("first_address_stays", r["address_kept"], "the first address stays")
    binds = run.calls("bind", "server")
    expect.eq("errno_name_b_binds_if", [b["errno_name"] for b in binds if b["ret"] < 0], ["EINVAL"] * 4,
              "every second bind() fails with EINVAL")
    checks.three_way_handshake(run.connection(), expect)

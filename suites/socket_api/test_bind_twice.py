"""bind(2) EINVAL: "The socket is already bound to an address"
(net/ipv4/af_inet.c __inet_bind() refuses a socket whose inet_num is set)."""
import pytest

from sockspec import checks


@pytest.mark.behaviour("bind_twice")
def test_bind_twice(probe, family):
    run = probe()
    for proto in ("tcp", "udp"):
        r = run["rebinds"][proto]
        assert r["rebind_same"] == "EINVAL", f"{proto}: binding again to the same address fails with EINVAL"
        assert r["rebind_port_zero"] == "EINVAL", f"{proto}: binding again to another port fails with EINVAL"
        assert r["address_kept"] is True, f"{proto}: the first address stays"
    binds = run.calls("bind", "server")
    assert [b["errno_name"] for b in binds if b["ret"] < 0] == ["EINVAL"] * 4
    checks.three_way_handshake(run.connection())

"""udp_sendto_autobinds: its probe is probes/udp_sendto_autobinds.cpp, its title, claims and sources are
[udp_sendto_autobinds] in catalog/behaviours/udp.toml."""
import pytest

# No capture shows this, so the placeholder fails until real checks replace it.
NOT_WRITTEN = "the checks of udp_sendto_autobinds are not written yet"


@pytest.mark.behaviour("udp_sendto_autobinds")
def test_udp_sendto_autobinds(probe, family, expect):
    run = probe()
    conn = run.connection()
    expect.eq("placeholder", [s.label for s in conn.segments], NOT_WRITTEN,
              "udp_sendto_autobinds's checks are written (scripts/sockspec new left this placeholder)")

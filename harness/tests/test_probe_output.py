"""The probe output contract, and what the driver says about output that breaks it."""
import pytest

from sockspec.errors import ProbeOutputError
from sockspec.probe_output import calls, parse


def test_recorded_output_parses(fixtures):
    events, observations = parse((fixtures / "handshake_inet.jsonl").read_text())
    assert events[0]["probe"]["name"] == "tcp_handshake"
    assert [e["call"] for e in calls(events, side="server")] == \
        ["socket", "bind", "listen", "getsockname", "accept", "close", "close"]
    assert set(observations) == {"client_addr", "server_addr"}


@pytest.mark.parametrize("text, message", [
    ('{"observations": {}}\nnot json\n', "line 2 is not JSON"),
    ('[1, 2]\n', "line 1 is not a JSON object"),
    ('{"t_real_ns": 1, "side": "x", "call": "y"}\n', "missing t_mono_ns"),
    ('{"t_real_ns": 1, "t_mono_ns": 1, "side": "x"}\n', "missing call/note"),
    ('{"observations": {}}\n{"observations": {}}\n', "after the observations"),
    ('{"observations": [1]}\n', "observations is not an object"),
])
def test_malformed_output_is_a_clear_error(text, message):
    with pytest.raises(ProbeOutputError, match=message):
        parse(text)


def test_output_of_a_probe_that_stopped_early_has_no_observations():
    events, observations = parse('{"error": {"message": "bind failed", "call": "bind", "errno": 98}}\n')
    assert observations == {} and events[0]["error"]["errno"] == 98

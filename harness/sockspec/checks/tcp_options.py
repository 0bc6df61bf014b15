"""TCP option kinds the suites look for in Segment.option_kinds, beside the
ones flow.py decodes by name (MSS, window scale, SACK, timestamps, Fast Open)."""

TCPOPT_MPTCP = 30  # RFC 8684 §2.1: MP_CAPABLE and the other MPTCP sub-options

"""Errors the driver reports to a person. Each carries a one-line message."""


class SockspecError(Exception):
    """Something the user can act on; the CLI prints it on one line."""

    exit_code = 1


class UsageError(SockspecError):
    """Bad command line or bad input file: exit 2, nothing written."""

    exit_code = 2


class ProbeOutputError(SockspecError):
    """A probe wrote something that is not the JSON-lines contract."""


class PcapError(SockspecError):
    """A capture file that cannot be decoded (truncated, not a pcap, unknown link type)."""


class ResultsError(UsageError):
    """A results file that is malformed or of another schema version."""


class TargetError(RuntimeError):
    """The target could not run the probe at all (not the probe's own failure)."""


class Unsupported(TargetError):
    """The target lacks something the invocation needs (a sysctl, fault
    injection, capture): the test is skipped with this reason, not failed."""


class SysctlUnavailable(Unsupported):
    """A sysctl of the invocation does not exist, or cannot be set, on this target."""

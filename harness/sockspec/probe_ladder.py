"""`sockspec probe NAME [flags]`: one probe in a fresh namespace with capture,
its syscalls and packets printed on one timeline (the ladder), the pcap kept."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from . import faults as fault_rules
from . import flow, sysctl, timeline
from .command_line import build, require_root
from .errors import UsageError
from .paths import REPO, build_dir, check_output_file, probe_path
from .targets import Fault, Invocation, Unsupported, make_target


def cmd_probe(args) -> int:
    require_root()
    known = sorted(p.stem for p in (REPO / "probes").glob("*.cpp"))
    if args.name not in known:
        raise UsageError(f"no probe named {args.name[:80]!r} (known: {', '.join(known)})")
    faults = [Fault(expr, args.drop_count) for expr in args.drop]
    for fault in faults:
        fault_rules.check(fault)
    sysctls = {}
    for item in args.sysctl:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--sysctl takes KEY=VALUE, not {item[:80]!r}")
        sysctl.check(key, value)
        sysctls[key] = value
    out_dir = Path(args.out) if args.out else build_dir() / "captures"
    pcap = out_dir / f"{args.name}-{time.strftime('%Y%m%d-%H%M%S')}.pcap"
    check_output_file(pcap)
    build(args.name)  # only this probe: a broken one elsewhere does not stop it
    probe_args = list(args.probe_args)
    if probe_args and probe_args[0] == "--":
        probe_args = probe_args[1:]
    if "--help" in probe_args or "-h" in probe_args:
        return subprocess.run([str(probe_path(args.name)), "--help"]).returncode
    target = make_target("host", build_dir())
    try:
        record = target.run(Invocation(args.name, probe_args, sysctls, True, pcap, faults))
    except Unsupported as e:
        raise UsageError(str(e)) from None
    if record.exit_code == 2:  # the probe's own flags were bad: its one line, and no capture kept
        pcap.unlink(missing_ok=True)
        sys.stderr.write(record.stderr)
        return 2
    packets = flow.read_pcap(pcap)
    server = flow.Endpoint.maybe(record.observations.get("server_addr"))
    servers = [server] if server else []
    header = next((e["probe"] for e in record.events if "probe" in e), {})
    print(f"{args.name} ({header.get('family_title', '')}): {header.get('summary', '')}")
    if header.get("claims"):
        print(f"evidence for {', '.join(header['claims'])}; sysctls: {sysctls or 'namespace defaults'}")
    print()
    print(timeline.render_ladder(timeline.build(record.events, packets, servers)))
    if record.exit_code != 0:
        print(f"the probe stopped early (exit {record.exit_code}): {record.stderr.strip()}")
    print("observations:")
    for key, value in record.observations.items():
        print(f"  {key}: {value}")
    print(f"\n{len(packets)} packets captured: {pcap} (open it in Wireshark, or tcpdump -nr)")
    return record.exit_code

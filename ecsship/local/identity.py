"""Who is who on this machine, so the client never trusts or signals the wrong process:
- process_identity(pid): boot id + start time + command line; a pid reused after the server died
  (or after a reboot) has a different identity, so `local down` never kills it.
- listener_uid(port): the uid owning the socket that listens on 127.0.0.1:port (Linux /proc/net/tcp;
  None where unknown), so the client never talks to - or sends secrets to - another user's server.

Standard library only.
"""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Iterable


def process_identity(pid: int) -> dict | None:
    """What identifies the process running as pid now, or None when it cannot be read."""
    proc = Path(f"/proc/{pid}")
    if Path("/proc/self/stat").exists():
        try:
            # Field 22 of /proc/PID/stat (after the parenthesised command name) is the start time in
            # clock ticks since boot (proc(5)); with the boot id it is unique across reboots.
            start_ticks = (proc / "stat").read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()[19]
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            boot_id = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
        except (OSError, IndexError):
            return None
        return {"boot_id": boot_id, "start": start_ticks,
                "cmdline": [part.decode(errors="replace") for part in cmdline if part]}
    try:  # macOS/BSD: ps gives the start time (to the second) and the command line
        out = subprocess.run(["ps", "-o", "lstart=", "-o", "command=", "-p", str(pid)],
                             capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    line = out.stdout.strip()
    if out.returncode != 0 or not line:
        return None
    return {"ps": line}


def same_process(pid: int | None, recorded: dict | None) -> bool:
    """The process running as pid is the one recorded (a missing record never matches)."""
    if not pid or not recorded:
        return False
    return process_identity(pid) == recorded


def listener_uid(port: int, host_hex: str = "0100007F") -> int | None:
    """The uid of the socket listening on 127.0.0.1:port, or None when /proc/net/tcp is not there
    or nothing listens."""
    try:
        with open("/proc/net/tcp", encoding="ascii") as table:
            return listener_uid_in(table, port, host_hex)
    except OSError:
        return None


# TCP states in /proc/net/tcp's `st` column (include/net/tcp_states.h).
_LISTEN, _SYN_RECV = "0A", "03"


def listener_uid_in(lines: Iterable[str], port: int, host_hex: str = "0100007F") -> int | None:
    """listener_uid over the lines of a /proc/net/tcp table (header first). Columns per proc(5): sl,
    local_address, rem_address, st, ..., uid (8th).

    The kernel lists the listening sockets first (net/ipv4/tcp_ipv4.c, tcp_get_idx: the listening hash,
    then the established hash; before Linux 4.4 pending connection requests, SYN_RECV, came with their
    listener). So the search stops at the first other socket: a busy machine's table holds thousands
    of TIME_WAIT connections, and reading all of them (the kernel formats every line) took 40-100 ms
    per control call, while the listeners are in its first few lines."""
    rows = iter(lines)
    next(rows, None)  # the header
    for line in rows:
        fields = line.split()
        if len(fields) < 8:
            continue
        if fields[3] not in (_LISTEN, _SYN_RECV):
            return None  # past the listening sockets
        address, hex_port = fields[1].split(":")
        if fields[3] == _LISTEN and int(hex_port, 16) == port and address in (host_hex, "00000000"):
            return int(fields[7])
    return None

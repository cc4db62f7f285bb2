"""The client's "is this listener mine?" check reads only the listening part of /proc/net/tcp.

proc(5): /proc/net/tcp columns sl, local_address (hex IP:port), rem_address, st (0A = LISTEN,
06 = TIME_WAIT), ..., uid. The kernel prints the listening sockets before all others
(net/ipv4/tcp_ipv4.c, tcp_get_idx). A test suite or a busy host leaves thousands of TIME_WAIT
lines after them; formatting and reading them all cost 40-100 ms on every control call.
"""
from __future__ import annotations

import pytest

from ecsship.local.identity import listener_uid_in

HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"


def row(local: str, state: str, uid: int, remote: str = "00000000:0000") -> str:
    return f"   0: {local} {remote} {state} 00000000:00000000 00:00000000 00000000  {uid}        0 12345 1"


def table(*rows: str, then_fail: bool = True):
    """The header and rows, then (like a huge table) a line the search must never read."""
    yield HEADER
    yield from rows
    yield row("0100007F:D431", "06", 0, "0100007F:1266")  # a TIME_WAIT connection ends the listeners
    if then_fail:
        raise AssertionError("read past the listening sockets")


def test_the_uid_of_the_loopback_listener_on_the_port():
    lines = table(row("0100007F:1266", "0A", 1000), row("0100007F:D431", "0A", 1001))
    assert listener_uid_in(lines, 0xD431) == 1001


def test_a_wildcard_listener_counts_and_another_address_does_not():
    assert listener_uid_in(table(row("00000000:1266", "0A", 7)), 0x1266) == 7
    assert listener_uid_in(table(row("0200007F:1266", "0A", 7)), 0x1266) is None


@pytest.mark.parametrize("port", [0x1266, 0xD431])
def test_the_search_stops_after_the_listening_sockets(port):
    """No listener on the port: None, without reading the connections that follow (the table
    generator raises if it is read further)."""
    assert listener_uid_in(table(row("0100007F:0050", "0A", 0)), port) is None


def test_a_pending_request_among_the_listeners_does_not_end_the_search():
    """Before Linux 4.4 a listener's SYN_RECV requests were listed with it (state 03)."""
    lines = table(row("0100007F:0050", "0A", 0), row("0100007F:0050", "03", 0, "0100007F:9999"), row("0100007F:1266", "0A", 42))
    assert listener_uid_in(lines, 0x1266) == 42

"""What kind of AWS operation a name is: shared by call accounting (session) and fault injection
(faults), which must not import each other."""
from __future__ import annotations

READ_PREFIXES = ("Describe", "List", "Get", "BatchGet", "Head", "Lookup", "Search", "Query")


def is_read_operation(name: str) -> bool:
    return name.startswith(READ_PREFIXES)

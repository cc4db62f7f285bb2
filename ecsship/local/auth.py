"""The control-call handshake shared by the local AWS and its client (standard library only)."""
from __future__ import annotations

import hmac


def proof(token: str, role: str, nonce: str) -> str:
    """HMAC of a nonce under the token: the client proves it knows the token ("client") and the server
    proves it back ("server") without the token itself crossing the wire."""
    return hmac.new(token.encode(), f"{role}:{nonce}".encode(), "sha256").hexdigest()

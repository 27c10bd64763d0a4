"""How a connection's upstream credential is sealed at rest: AES-GCM, bound to its row.

The plaintext is JSON (``{"api_token": ...}``) so that other methods can add fields later.
"""

from __future__ import annotations

import json

from trackgate.crypto import Keyring


def credential_context(connection_id: str) -> str:
    return f"connections.credential:{connection_id}"


def seal_credential(keyring: Keyring, connection_id: str, api_token: str) -> str:
    plaintext = json.dumps({"api_token": api_token})
    return keyring.encrypt(plaintext, credential_context(connection_id))


def open_credential(keyring: Keyring, connection_id: str, ciphertext: str) -> str:
    """The upstream API token; raises ``DecryptError`` if the ciphertext is not this row's."""
    data = json.loads(keyring.decrypt(ciphertext, credential_context(connection_id)))
    token = data["api_token"]
    assert isinstance(token, str)
    return token

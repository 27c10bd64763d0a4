"""Encryption of stored secrets: AES-256-GCM under a keyring of ids.

Every ciphertext names the key that made it (``v1.<kid>.<nonce+ct>``), so a keyring holding the
new key and the old one reads everything during a rotation, and a rotation can stop half way.
Digests give a way to find a row by a secret without keeping the secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger("trackgate")

KEY_BYTES = 32
#: A ring that meets a key id it does not hold reads its keys again at most this often.
RELOAD_INTERVAL_SECONDS = 1.0
_FINGERPRINT_LABEL = b"trackgate key fingerprint v1"


class SecretKeyError(Exception):
    """A key that is missing, malformed, or not the one the data was written with."""


class DecryptError(Exception):
    """A ciphertext that no key in the ring can open (wrong key, or tampered)."""


class KeyUnavailable(DecryptError):
    """Sealed by a key this process does not hold even after reading its keys again: another
    process is rotating the key, and this one learns the new key when its key source has it
    (the key file, or a restart with the new variable). Worth retrying, unlike a forgery."""


def generate_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def encode_key(key: bytes) -> str:
    return base64.b64encode(key).decode()


def decode_key(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SecretKeyError("secret key is not valid base64") from exc
    if len(key) != KEY_BYTES:
        raise SecretKeyError(f"secret key must be {KEY_BYTES} bytes, got {len(key)}")
    return key


def key_id(key: bytes) -> str:
    """A short public name for a key: it tells keys apart without revealing them."""
    return hmac.new(key, b"trackgate key id", hashlib.sha256).hexdigest()[:12]


def fingerprint(key: bytes) -> str:
    """What the database stores to recognise its key on the next start."""
    return hmac.new(key, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def digest(secret: str) -> str:
    """A look-up digest for a high-entropy secret (API token, gateway key, session token)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class Keyring:
    """The primary key encrypts; every key in the ring decrypts.

    A ring given a ``loader`` (where its keys came from) can :meth:`reload` them: when another
    process rotates the key, rows sealed by the new key are read without a restart. A
    ciphertext naming a key the ring lacks triggers one reload (at most one a second)."""

    def __init__(
        self, keys: tuple[bytes, ...], loader: Callable[[], tuple[bytes, ...]] | None = None
    ) -> None:
        if not keys:
            raise SecretKeyError("the keyring is empty")
        self.keys = tuple(keys)
        self._loader = loader
        self._lock = threading.Lock()
        self._loaded_at = time.monotonic()

    def _due(self) -> bool:
        return time.monotonic() - self._loaded_at >= RELOAD_INTERVAL_SECONDS

    def reload(self) -> bool:
        """Read the keys again from where they came from; True when they changed. A source
        that fails to load (or holds no key of this database) leaves the ring as it was."""
        if self._loader is None:
            return False
        with self._lock:
            self._loaded_at = time.monotonic()
            try:
                keys = self._loader()
            except SecretKeyError as exc:
                log.warning("keys not reloaded: %s", exc)
                return False
            if not keys or keys == self.keys:
                return False
            self.keys = keys
        log.info("keys reloaded: primary key %s", key_id(keys[0]))
        return True

    @property
    def primary(self) -> bytes:
        return self.keys[0]

    @property
    def primary_id(self) -> str:
        return key_id(self.primary)

    def by_id(self, kid: str) -> bytes | None:
        return next((k for k in self.keys if key_id(k) == kid), None)

    def encrypt(self, plaintext: str, context: str) -> str:
        if self._loader is not None and self._due():  # sealed by the newest key there is
            self.reload()
        nonce = os.urandom(12)
        sealed = AESGCM(self.primary).encrypt(nonce, plaintext.encode(), context.encode())
        body = base64.urlsafe_b64encode(nonce + sealed).decode()
        return f"v1.{self.primary_id}.{body}"

    def decrypt(self, token: str, context: str) -> str:
        try:
            version, kid, body = token.split(".", 2)
            raw = base64.urlsafe_b64decode(body)
        except (ValueError, binascii.Error) as exc:
            raise DecryptError("malformed ciphertext") from exc
        if version != "v1":
            raise DecryptError("unknown ciphertext version")
        key = self.by_id(kid)
        if key is None and self._loader is not None:
            if self._due():
                self.reload()
                key = self.by_id(kid)
            if key is None:
                raise KeyUnavailable(f"no key with id {kid} in the keyring yet")
        if key is None:
            raise DecryptError(f"no key with id {kid} in the keyring")
        try:
            return AESGCM(key).decrypt(raw[:12], raw[12:], context.encode()).decode()
        except InvalidTag as exc:
            raise DecryptError("ciphertext does not verify") from exc

    def key_id_of(self, token: str) -> str:
        return token.split(".", 2)[1]

    def holds_fingerprint(self, stored: str) -> bool:
        return any(hmac.compare_digest(fingerprint(k), stored) for k in self.keys)


def parse_keys(text: str) -> tuple[bytes, ...]:
    """Keys written newest first, separated by commas or new lines."""
    parts = [p for p in text.replace(",", "\n").split() if p.strip()]
    return tuple(decode_key(p) for p in parts)


def write_key_file(path: Path, keys: tuple[bytes, ...]) -> None:
    """Write atomically with mode 0600, so a crash never leaves a half-written key file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(encode_key(k) for k in keys) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def load_keyring(secret_key: str | None, key_file: Path, *, create: bool) -> Keyring:
    """The keyring from the variable, else from the key file (made on first use if allowed)."""
    if secret_key:
        return Keyring(parse_keys(secret_key))
    if key_file.exists():
        mode = key_file.stat().st_mode & 0o777
        if mode & 0o077:
            raise SecretKeyError(
                f"key file {key_file} must not be readable by others (mode {mode:o})"
            )
        return Keyring(parse_keys(key_file.read_text()))
    if not create:
        raise SecretKeyError(
            "no secret key: set TRACKGATE_SECRET_KEY (a PostgreSQL database needs it)"
        )
    keys = (generate_key(),)
    write_key_file(key_file, keys)
    return Keyring(keys)

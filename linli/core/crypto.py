"""Encryption at rest for personal data, and keyed hashes for exact lookup.

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256) from the
``cryptography`` package. ``LINLI_FIELD_KEYS`` holds one or more keys separated by
commas: the first encrypts, all of them decrypt, so a key can be rotated by putting
the new one first and re-encrypting (``MultiFernet.rotate``).

Encrypted values cannot be searched, so a field that needs exact lookup (a phone
or ID number) also stores an HMAC-SHA256 of its normalised value under a separate
``LINLI_HASH_KEY``: equal inputs give equal digests, but the digest is useless
without the key.

Outside production, missing keys are generated once into ``LINLI_DATA_DIR/keys.json``
so a development checkout works with no set-up. Production refuses to start without
them (see settings).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@dataclass(frozen=True)
class KeyRing:
    field_keys: tuple[str, ...]
    hash_key: bytes


def _development_keys(data_dir: Path) -> dict[str, object]:
    key_file = data_dir / "keys.json"
    if key_file.exists():
        loaded: dict[str, object] = json.loads(key_file.read_text())
        return loaded
    keys: dict[str, object] = {
        "field_keys": [Fernet.generate_key().decode()],
        "hash_key": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    }
    key_file.write_text(json.dumps(keys, indent=2))
    key_file.chmod(0o600)
    return keys


@lru_cache(maxsize=1)
def key_ring() -> KeyRing:
    field_keys: list[str] = list(settings.LINLI_FIELD_KEYS)
    hash_key: str = settings.LINLI_HASH_KEY
    if not (field_keys and hash_key):
        dev = _development_keys(Path(settings.DATA_DIR))
        if not field_keys:
            field_keys = [str(k) for k in dev["field_keys"]]  # type: ignore[attr-defined]
        if not hash_key:
            hash_key = str(dev["hash_key"])
    return KeyRing(field_keys=tuple(field_keys), hash_key=hash_key.encode())


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in key_ring().field_keys])


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("stored value cannot be decrypted with the configured keys") from exc


def rotate(token: str) -> str:
    """Re-encrypt a stored value under the primary key."""
    return _fernet().rotate(token.encode()).decode()


def blind_index(purpose: str, normalised_value: str) -> str:
    """A keyed digest for exact lookup; ``purpose`` keeps phone and ID digests apart."""
    message = f"{purpose}:{normalised_value}".encode()
    return hmac.new(key_ring().hash_key, message, hashlib.sha256).hexdigest()

"""Field-level protection for personal data (R-P3): AES-GCM encryption plus a keyed digest for exact lookups.

The digest (HMAC-SHA256) lets us find a person by ID number or phone without storing either in clear text.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_VERSION = "v1"


@functools.lru_cache(maxsize=4)
def _keys(master: str) -> tuple[AESGCM, bytes]:
    raw = master.encode()
    enc_key = hashlib.sha256(b"gongzhi-field-encryption|" + raw).digest()
    mac_key = hashlib.sha256(b"gongzhi-field-digest|" + raw).digest()
    return AESGCM(enc_key), mac_key


def encrypt(value: str) -> str:
    if not value:
        return ""
    aead, _ = _keys(settings.FIELD_ENCRYPTION_KEY)
    nonce = os.urandom(12)
    blob = nonce + aead.encrypt(nonce, value.encode(), None)
    return f"{_VERSION}:{base64.urlsafe_b64encode(blob).decode()}"


def decrypt(token: str) -> str:
    if not token:
        return ""
    version, _, payload = token.partition(":")
    if version != _VERSION:
        raise ValueError("unknown encryption version")
    aead, _ = _keys(settings.FIELD_ENCRYPTION_KEY)
    blob = base64.urlsafe_b64decode(payload)
    return aead.decrypt(blob[:12], blob[12:], None).decode()


def digest(value: str) -> str:
    """Keyed digest of a normalised value, for unique constraints and exact-match search."""
    if not value:
        return ""
    _, mac_key = _keys(settings.FIELD_ENCRYPTION_KEY)
    return hmac.new(mac_key, value.encode(), hashlib.sha256).hexdigest()

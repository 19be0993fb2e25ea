"""A digest of what a seed run wrote, to prove that the same seed gives the same rows. Encrypted columns carry a
random nonce, so they are decrypted first: the digest is over the values, not the ciphertexts."""

from __future__ import annotations

import hashlib

from django.db import connection

from gongzhi.core import crypto


def tables_digest(tables: list[str]) -> str:
    h = hashlib.sha256()
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY id")
            names = [c[0] for c in cur.description]
            enc = {i for i, n in enumerate(names) if n.endswith("_enc")}
            h.update(table.encode())
            for row in cur.fetchall():
                values = [crypto.decrypt(v) if i in enc else v for i, v in enumerate(row)]
                h.update(repr(values).encode())
    return h.hexdigest()

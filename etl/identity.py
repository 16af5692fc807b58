"""Pseudonymous learner keys.

A learner is HMAC-SHA256(key, "<namespace>:<normalized id>"). The key lives outside the
warehouse and the repository: the HTRA_LEARNER_KEY environment variable, or a key file
(HTRA_KEY_FILE, default ~/.config/ht-response-analytics/learner.key) created on first use with
mode 0600. Rotating the key
breaks linkage with learners already loaded, so the warehouse records a fingerprint and refuses a
load under a different key.
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

DEFAULT_KEY_FILE = Path.home() / ".config" / "ht-response-analytics" / "learner.key"


class KeyMismatchError(RuntimeError):
    pass


def load_key() -> bytes:
    env_key = os.environ.get("HTRA_LEARNER_KEY")
    if env_key:
        return env_key.encode()
    path = Path(os.environ.get("HTRA_KEY_FILE", DEFAULT_KEY_FILE))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two first runs racing must not both write a different key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_bytes().strip()


def fingerprint(key: bytes) -> str:
    return hmac.new(key, b"fingerprint:v1", hashlib.sha256).hexdigest()[:16]


def learner_id_sql(key: bytes, expr: str) -> tuple[str, dict]:
    """SQL for the key of the VARCHAR `expr`, and the parameters it binds.

    HMAC-SHA256(key, value) written out (RFC 2104) over DuckDB's sha256, in the load's own SQL:
    a state load keys 1.7 M distinct ids, which Python's hmac read out of DuckDB, keyed one by
    one and wrote back (1 M keys: 2.2 s in Python's hmac, 0.8 s in this expression, on 2 cores).
    """
    block = 64  # SHA-256's block size in bytes
    k = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
    params = {
        "hmac_ipad": bytes(b ^ 0x36 for b in k),
        "hmac_opad": bytes(b ^ 0x5C for b in k),
    }
    return f"sha256($hmac_opad || unhex(sha256($hmac_ipad || encode({expr}))))", params

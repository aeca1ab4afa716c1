"""Key settings (owned by the security app): SM4 data keys, SM3 blind-index key, SM2 seal key pair.

Keys come from the environment only, never from the repository:
- HPF_SM4_KEYS="k1:<32 hex>,k2:<32 hex>" with HPF_SM4_ACTIVE_KEY_ID="k2" (the key new values are encrypted
  under; the others still decrypt until `hpf rotate_keys` has re-encrypted everything), or HPF_SM4_KEY="<32 hex>"
  for a single key (key id HPF_SM4_ACTIVE_KEY_ID, default "k1");
- HPF_BLIND_INDEX_KEY="<at least 32 hex>": the HMAC-SM3 key of the blind indexes (exact-match lookups);
- HPF_SM2_PRIVATE_KEY="<64 hex>": the center's SM2 seal key (signs documents and audit checkpoints).
What is missing here is taken from development keys that openhpf.security.keys creates under HPF_KEY_DIR with a
WARNING; production.py refuses to start instead (production_key_errors), and refuses weak keys too: one byte
repeated, a development key, an SM2 private key outside [1, n-2] or below 2^128, a SECRET_KEY shorter than 50
characters or with fewer than 5 distinct ones (weak_key_errors, secret_key_errors)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

_HEX = re.compile(r"^[0-9a-fA-F]+$")
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


def _sm4_keys() -> dict[str, str]:
    many = os.environ.get("HPF_SM4_KEYS", "").strip()
    if many:
        out: dict[str, str] = {}
        for item in many.split(","):
            kid, _, hexkey = item.strip().partition(":")
            out[kid.strip()] = hexkey.strip()
        return out
    one = os.environ.get("HPF_SM4_KEY", "").strip()
    return {os.environ.get("HPF_SM4_ACTIVE_KEY_ID", "").strip() or "k1": one} if one else {}


HPF_SM4_KEYS: dict[str, str] = _sm4_keys()
HPF_SM4_ACTIVE_KEY_ID: str = os.environ.get("HPF_SM4_ACTIVE_KEY_ID", "").strip() or (
    list(HPF_SM4_KEYS)[-1] if HPF_SM4_KEYS else ""
)
HPF_BLIND_INDEX_KEY: str = os.environ.get("HPF_BLIND_INDEX_KEY", "").strip()
HPF_SM2_PRIVATE_KEY: str = os.environ.get("HPF_SM2_PRIVATE_KEY", "").strip()
# GB/T 35276 default distinguishing identifier, so that other SM2 implementations verify our signatures as they are
HPF_SM2_USER_ID = "1234567812345678"


def key_config_errors(sm4: dict[str, str], active: str, blind_index: str, sm2_private: str) -> list[str]:
    """What is wrong with configured keys (empty values are "not configured", not errors)."""
    errors = []
    for kid, hexkey in sm4.items():
        if not _KEY_ID.match(kid):
            errors.append(f"SM4 key id {kid!r} must be 1–16 letters, digits, '-' or '_'")
        if len(hexkey) != 32 or not _HEX.match(hexkey):
            errors.append(f"SM4 key {kid!r} must be 32 hex digits (128 bits)")
    if sm4 and active not in sm4:
        errors.append(f"HPF_SM4_ACTIVE_KEY_ID {active!r} is not among the SM4 key ids {sorted(sm4)}")
    if blind_index and (len(blind_index) < 32 or len(blind_index) % 2 or not _HEX.match(blind_index)):
        errors.append("HPF_BLIND_INDEX_KEY must be at least 32 hex digits")
    if sm2_private and (len(sm2_private) != 64 or not _HEX.match(sm2_private)):
        errors.append("HPF_SM2_PRIVATE_KEY must be 64 hex digits")
    return errors


# GB/T 32918.5 recommended curve: the order n of the base point. A private key d must lie in [1, n-2].
SM2_N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)
SM2_MIN_PRIVATE = 2**128  # far below any random 256-bit key: a small d is found by a baby-step giant-step search
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT = 5
DEV_KEY_FILE = "dev-keys.json"  # openhpf.security.keys writes the development keys there


def weak_hex_key(hexkey: str) -> bool:
    """All one byte repeated (all zero included): no secret at all."""
    raw = hexkey.lower()
    return len(raw) >= 2 and raw == raw[:2] * (len(raw) // 2)


def development_key_values(key_dir: Path) -> set[str]:
    """The development keys of this installation (var/keys/dev-keys.json), lower-case hex: never for production."""
    try:
        data = json.loads((key_dir / DEV_KEY_FILE).read_text())
    except (OSError, ValueError):
        return set()
    return {str(data[k]).lower() for k in ("sm4", "blind_index", "sm2_private") if data.get(k)}


def weak_key_errors(sm4: dict[str, str], blind_index: str, sm2_private: str, *, dev_keys: set[str]) -> list[str]:
    """Keys that are well formed but no secret: one byte repeated, a development key, an SM2 private key outside
    [1, n-2] (GB/T 32918) or below 2^128."""
    errors = []
    named = [(f"SM4 key {kid!r}", v) for kid, v in sm4.items()] + [("HPF_BLIND_INDEX_KEY", blind_index),
                                                                 ("HPF_SM2_PRIVATE_KEY", sm2_private)]
    for name, value in named:
        if not value or not _HEX.match(value):
            continue  # missing or malformed: key_config_errors says so
        if weak_hex_key(value):
            errors.append(f"{name} is one byte repeated (all zero or the like): use a random key")
        if value.lower() in dev_keys:
            errors.append(f"{name} is a development key (HPF_KEY_DIR/{DEV_KEY_FILE}): use a key of its own")
    if sm2_private and len(sm2_private) == 64 and _HEX.match(sm2_private):
        d = int(sm2_private, 16)
        if not 1 <= d <= SM2_N - 2:
            errors.append("HPF_SM2_PRIVATE_KEY is outside [1, n-2] of the SM2 curve (GB/T 32918)")
        elif d < SM2_MIN_PRIVATE:
            errors.append("HPF_SM2_PRIVATE_KEY is below 2^128: not a random key")
    return errors


def secret_key_errors(secret_key: str) -> list[str]:
    """Django's SECRET_KEY signs sessions and CSRF tokens: long and varied, as Django's own check asks."""
    errors = []
    if len(secret_key) < SECRET_KEY_MIN_LENGTH:
        errors.append(f"HPF_SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} characters")
    if len(set(secret_key)) < SECRET_KEY_MIN_DISTINCT:
        errors.append(f"HPF_SECRET_KEY must have at least {SECRET_KEY_MIN_DISTINCT} distinct characters")
    if secret_key.startswith("django-insecure"):
        errors.append("HPF_SECRET_KEY is Django's insecure placeholder")
    return errors


def production_key_errors(key_dir: Path | None = None) -> list[str]:
    """Production runs with real keys only: every key configured, well formed, and no weak or development key
    (the development keys of `key_dir`, HPF_KEY_DIR)."""
    errors = key_config_errors(HPF_SM4_KEYS, HPF_SM4_ACTIVE_KEY_ID, HPF_BLIND_INDEX_KEY, HPF_SM2_PRIVATE_KEY)
    dev_keys = development_key_values(key_dir) if key_dir is not None else set()
    errors += weak_key_errors(HPF_SM4_KEYS, HPF_BLIND_INDEX_KEY, HPF_SM2_PRIVATE_KEY, dev_keys=dev_keys)
    if not HPF_SM4_KEYS or not any(HPF_SM4_KEYS.values()):
        errors.append("production settings need HPF_SM4_KEYS (with HPF_SM4_ACTIVE_KEY_ID) or HPF_SM4_KEY")
    if not HPF_BLIND_INDEX_KEY:
        errors.append("production settings need HPF_BLIND_INDEX_KEY")
    if not HPF_SM2_PRIVATE_KEY:
        errors.append("production settings need HPF_SM2_PRIVATE_KEY")
    return errors

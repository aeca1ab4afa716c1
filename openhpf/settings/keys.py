"""Key settings (owned by the security app): SM4 data keys, SM3 blind-index key, SM2 seal key pair.

Keys come from the environment only, never from the repository:
- HPF_SM4_KEYS="k1:<32 hex>,k2:<32 hex>" with HPF_SM4_ACTIVE_KEY_ID="k2" (the key new values are encrypted
  under; the others still decrypt until `hpf rotate_keys` has re-encrypted everything), or HPF_SM4_KEY="<32 hex>"
  for a single key (key id HPF_SM4_ACTIVE_KEY_ID, default "k1");
- HPF_BLIND_INDEX_KEY="<at least 32 hex>": the HMAC-SM3 key of the blind indexes (exact-match lookups);
- HPF_SM2_PRIVATE_KEY="<64 hex>": the center's SM2 seal key (signs documents and audit checkpoints).
What is missing here is taken from development keys that openhpf.security.keys creates under HPF_KEY_DIR with a
WARNING; production.py refuses to start instead (production_key_errors)."""

from __future__ import annotations

import os
import re

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


def production_key_errors() -> list[str]:
    """Production runs with real keys only: every key configured, well formed."""
    errors = key_config_errors(HPF_SM4_KEYS, HPF_SM4_ACTIVE_KEY_ID, HPF_BLIND_INDEX_KEY, HPF_SM2_PRIVATE_KEY)
    if not HPF_SM4_KEYS or not any(HPF_SM4_KEYS.values()):
        errors.append("production settings need HPF_SM4_KEYS (with HPF_SM4_ACTIVE_KEY_ID) or HPF_SM4_KEY")
    if not HPF_BLIND_INDEX_KEY:
        errors.append("production settings need HPF_BLIND_INDEX_KEY")
    if not HPF_SM2_PRIVATE_KEY:
        errors.append("production settings need HPF_SM2_PRIVATE_KEY")
    return errors

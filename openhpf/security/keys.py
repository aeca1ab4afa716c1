"""The keyring: SM4 data keys by key id, the blind-index key and the center's SM2 seal key pair.

Read from settings (settings/keys.py, from the environment). What is not configured comes from development
keys under HPF_KEY_DIR (var/keys), created on first use with a WARNING; production settings refuse to start
without real keys, so the development keys are never used there."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from openhpf.settings.keys import key_config_errors

from .crypto import HmacSm3, hmac_sm3, sm2_generate_keypair, sm2_public_key

log = logging.getLogger("openhpf.security")
DEV_KEY_FILE = "dev-keys.json"
DEV_SM4_KEY_ID = "dev1"


@dataclass
class Keyring:
    sm4: dict[str, bytes]
    active_id: str
    blind_index_key: bytes
    sm2_private: str
    sm2_public: str
    development: bool = False
    _bidx: dict[str, HmacSm3] = field(default_factory=dict, repr=False)

    @property
    def active_key(self) -> bytes:
        return self.sm4[self.active_id]

    def sm4_key(self, key_id: str) -> bytes:
        try:
            return self.sm4[key_id]
        except KeyError:
            raise ImproperlyConfigured(f"SM4 key {key_id!r} is not in the keyring (HPF_SM4_KEYS)") from None

    def blind_indexer(self, purpose: str) -> HmacSm3:
        """HMAC-SM3 under a per-purpose subkey (so the same value in two kinds of column indexes differently)."""
        h = self._bidx.get(purpose)
        if h is None:
            h = self._bidx[purpose] = HmacSm3(self.blind_index_subkey(purpose))
        return h

    def blind_index_subkey(self, purpose: str) -> bytes:
        return hmac_sm3(self.blind_index_key, b"openhpf-blind-index:" + purpose.encode())


_lock = threading.Lock()
_cached: Keyring | None = None
_warned: set[tuple[str, ...]] = set()  # once per process for each set of missing keys


def keyring() -> Keyring:
    global _cached
    ring = _cached
    if ring is None:
        with _lock:
            ring = _cached = _cached or _load()
    return ring


@receiver(setting_changed)
def _reset(*, setting: str, **_kwargs: object) -> None:
    global _cached
    if setting.startswith("HPF_SM") or setting in ("HPF_BLIND_INDEX_KEY", "HPF_KEY_DIR"):
        _cached = None


def _load() -> Keyring:
    sm4 = dict(getattr(settings, "HPF_SM4_KEYS", {}) or {})
    active = getattr(settings, "HPF_SM4_ACTIVE_KEY_ID", "") or (list(sm4)[-1] if sm4 else "")
    bidx = getattr(settings, "HPF_BLIND_INDEX_KEY", "") or ""
    sm2 = getattr(settings, "HPF_SM2_PRIVATE_KEY", "") or ""
    errors = key_config_errors(sm4, active, bidx, sm2)
    if errors:
        raise ImproperlyConfigured("; ".join(errors))
    dev = None
    if not sm4 or not bidx or not sm2:
        dev = _development_keys(Path(settings.HPF_KEY_DIR))
        missing = [n for n, v in (("HPF_SM4_KEYS", sm4), ("HPF_BLIND_INDEX_KEY", bidx), ("HPF_SM2_PRIVATE_KEY", sm2))
                   if not v]
        if tuple(missing) not in _warned:
            _warned.add(tuple(missing))
            log.warning("using DEVELOPMENT keys from %s for %s: not for real personal data; configure real keys "
                        "(production settings refuse to start without them)", settings.HPF_KEY_DIR, ", ".join(missing))
        if not sm4:
            sm4, active = {DEV_SM4_KEY_ID: dev["sm4"]}, DEV_SM4_KEY_ID
        bidx = bidx or dev["blind_index"]
        sm2 = sm2 or dev["sm2_private"]
    return Keyring(
        sm4={k: bytes.fromhex(v) for k, v in sm4.items()}, active_id=active, blind_index_key=bytes.fromhex(bidx),
        sm2_private=sm2.lower(), sm2_public=sm2_public_key(sm2), development=dev is not None,
    )


def _development_keys(directory: Path) -> dict[str, str]:
    """var/keys/dev-keys.json, created once (exclusively, mode 0600: concurrent first runs agree on one file)."""
    path = directory / DEV_KEY_FILE
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        sk, _pk = sm2_generate_keypair()
        data = {"sm4": os.urandom(16).hex(), "blind_index": os.urandom(32).hex(), "sm2_private": sk,
                "note": "development keys only (openhpf.security.keys); never use for real personal data"}
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                json.dump(data, fh, indent=1)
            log.warning("created development keys in %s", path)
    for _ in range(50):  # another process may be between creating and writing the file
        try:
            data = json.loads(path.read_text())
            return {k: data[k] for k in ("sm4", "blind_index", "sm2_private")}
        except (ValueError, KeyError):
            time.sleep(0.1)
    raise ImproperlyConfigured(f"development key file {path} is unreadable")

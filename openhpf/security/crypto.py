"""National cryptography primitives (国密): SM3 and HMAC-SM3 through OpenSSL (hashlib), SM4-GCM through
pyca/cryptography, SM2 signatures through gmalg (pure Python, ~17 ms a signature: documents and checkpoints only).

Everything else in the project calls these functions; no other module talks to the libraries directly."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

SM2_DEFAULT_USER_ID = b"1234567812345678"  # GB/T 35276 default distinguishing identifier
NONCE_BYTES = 12  # the GCM standard nonce (96 bits): random per value
TAG_BYTES = 16


class DecryptionError(ValueError):
    """A ciphertext did not authenticate (wrong key, wrong column, or tampered)."""


# ---------------------------------------------------------------- SM3


def sm3(data: bytes) -> bytes:
    return hashlib.new("sm3", data).digest()


def sm3_hex(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    return hmac.digest(key, data, "sm3")


class HmacSm3:
    """HMAC-SM3 with a fixed key for many short messages: the keyed inner and outer states are computed once
    and copied per message (twice as fast as hmac.digest on 18-byte values; same output, RFC 2104)."""

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:
            key = sm3(key)
        key = key.ljust(64, b"\0")
        self._inner = hashlib.new("sm3", bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.new("sm3", bytes(b ^ 0x5C for b in key))

    def digest(self, data: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(data)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def hexdigests(self, values: Iterable[bytes], length: int = 32) -> list[str]:
        icopy, ocopy = self._inner.copy, self._outer.copy
        out = []
        for v in values:
            inner = icopy()
            inner.update(v)
            outer = ocopy()
            outer.update(inner.digest())
            out.append(outer.digest()[:length].hex())
        return out


# ---------------------------------------------------------------- SM4


def sm4_encrypt_block(key: bytes, block: bytes) -> bytes:
    """One raw SM4 block (ECB of 16 bytes): for the GB/T 32907 known-answer tests only."""
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 (single block test primitive)
    return enc.update(block) + enc.finalize()


def sm4_gcm_encrypt(key: bytes, plaintext: bytes, aad: bytes = b"", nonce: bytes | None = None) -> bytes:
    """nonce ‖ ciphertext ‖ tag, under a fresh random 96-bit nonce."""
    nonce = nonce or os.urandom(NONCE_BYTES)
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    if aad:
        enc.authenticate_additional_data(aad)
    ct = enc.update(plaintext) + enc.finalize()
    return nonce + ct + enc.tag


def sm4_gcm_decrypt(key: bytes, blob: bytes, aad: bytes = b"") -> bytes:
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("ciphertext too short")
    nonce, ct, tag = blob[:NONCE_BYTES], blob[NONCE_BYTES:-TAG_BYTES], blob[-TAG_BYTES:]
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    if aad:
        dec.authenticate_additional_data(aad)
    try:
        return dec.update(ct) + dec.finalize()
    except InvalidTag:
        raise DecryptionError("SM4-GCM tag mismatch") from None


def sm4_gcm_encrypt_many(key: bytes, plaintexts: Sequence[bytes], aad: bytes = b"") -> list[bytes]:
    """Batch form for bulk loads: one urandom call for every nonce and the cipher object built once."""
    n = len(plaintexts)
    nonces = os.urandom(NONCE_BYTES * n)
    alg = algorithms.SM4(key)
    out = []
    for i, p in enumerate(plaintexts):
        nonce = nonces[i * NONCE_BYTES:(i + 1) * NONCE_BYTES]
        enc = Cipher(alg, modes.GCM(nonce)).encryptor()
        if aad:
            enc.authenticate_additional_data(aad)
        ct = enc.update(p) + enc.finalize()
        out.append(nonce + ct + enc.tag)
    return out


# ---------------------------------------------------------------- SM2 (GB/T 32918, signatures)


def sm2_generate_keypair() -> tuple[str, str]:
    """(private key hex, 64 digits; public key hex, uncompressed 04‖x‖y, 130 digits)."""
    from gmalg import SM2

    sk, pk = SM2().generate_keypair()
    return sk.rjust(32, b"\0").hex(), pk.hex()


def sm2_public_key(private_hex: str) -> str:
    from gmalg import SM2

    return SM2().generate_pk(bytes.fromhex(private_hex)).hex()


def sm2_sign(private_hex: str, message: bytes, *, public_hex: str | None = None,
             user_id: bytes = SM2_DEFAULT_USER_ID) -> str:
    """SM2 signature r ‖ s (64 bytes, hex) over e = SM3(Z_A ‖ message). Sign a digest, not a big document:
    gmalg hashes the message with its pure-Python SM3."""
    from gmalg import SM2

    signer = SM2(bytes.fromhex(private_hex), user_id, bytes.fromhex(public_hex) if public_hex else None)
    r, s = signer.sign(message)
    return (r.rjust(32, b"\0") + s.rjust(32, b"\0")).hex()


def sm2_verify(public_hex: str, message: bytes, signature_hex: str, *, user_id: bytes = SM2_DEFAULT_USER_ID) -> bool:
    from gmalg import SM2

    try:
        sig = bytes.fromhex(signature_hex)
        if len(sig) != 64:
            return False
        return bool(SM2(None, user_id, bytes.fromhex(public_hex)).verify(message, sig[:32], sig[32:]))
    except Exception:
        return False

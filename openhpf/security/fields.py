"""Encrypted columns (SM4-GCM at rest) with HMAC-SM3 blind indexes for exact-match lookups.

Stored value: "<key id>:" + base64(nonce ‖ ciphertext ‖ tag), under a fresh 96-bit nonce per value, with the
column's purpose as GCM associated data (a ciphertext copied into another kind of column does not decrypt).
An empty string stays empty (blank optional fields). The blind index is the first 16 bytes of HMAC-SM3 under a
per-purpose subkey of HPF_BLIND_INDEX_KEY over the normalized value, hex (32 characters).

`Member.objects.filter(id_number=x)` (and `__in`) keep working: the lookup is rewritten to the blind-index
column. Other lookups (startswith, contains, ordering by meaning) are refused: ciphertext has no order."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.models import lookups
from django.db.models.expressions import Col

from .crypto import DecryptionError, HmacSm3, sm4_gcm_decrypt, sm4_gcm_encrypt, sm4_gcm_encrypt_many
from .keys import keyring

ENCRYPTED = re.compile(r"^([A-Za-z0-9_-]{1,16}):([A-Za-z0-9+/]+={0,2})$")
BLIND_INDEX_BYTES = 16


def _norm_text(v: str) -> str:
    return v.strip()


def _norm_id(v: str) -> str:
    return v.strip().upper()


def _norm_phone(v: str) -> str:
    return v.strip().replace(" ", "").replace("-", "")


def _norm_digits(v: str) -> str:
    return "".join(ch for ch in v if ch.isdigit())


NORMALIZERS = {"text": _norm_text, "id_number": _norm_id, "phone": _norm_phone, "bank_card": _norm_digits}


# ---------------------------------------------------------------- value codec (also used by bulk loads)


def is_encrypted(stored: str | None) -> bool:
    return bool(stored) and ENCRYPTED.match(stored) is not None  # type: ignore[arg-type]


def encrypt_value(purpose: str, plaintext: str | None) -> str | None:
    if plaintext is None or plaintext == "":
        return plaintext
    ring = keyring()
    blob = sm4_gcm_encrypt(ring.active_key, plaintext.encode(), purpose.encode())
    return f"{ring.active_id}:{base64.b64encode(blob).decode()}"


def encrypt_many(purpose: str, plaintexts: Sequence[str | None]) -> list[str | None]:
    """Batch encryption for bulk loads (the cut-over): same format as encrypt_value."""
    ring = keyring()
    return encrypt_many_with(ring.active_id, ring.active_key, purpose, plaintexts)


def encrypt_many_with(key_id: str, key: bytes, purpose: str, plaintexts: Sequence[str | None]) -> list[str | None]:
    """encrypt_many with explicit key material (no settings): for worker processes of bulk loads."""
    todo = [i for i, p in enumerate(plaintexts) if p]
    blobs = sm4_gcm_encrypt_many(key, [plaintexts[i].encode() for i in todo],  # type: ignore[union-attr]
                                 purpose.encode())
    out: list[str | None] = list(plaintexts)
    prefix = key_id + ":"
    b64 = base64.b64encode
    for i, blob in zip(todo, blobs, strict=True):
        out[i] = prefix + b64(blob).decode()
    return out


def decrypt_value(purpose: str, stored: str | None) -> str | None:
    if stored is None or stored == "":
        return stored
    m = ENCRYPTED.match(stored)
    if m is None:
        raise DecryptionError(f"{purpose}: value is not in the encrypted format")
    try:
        blob = base64.b64decode(m.group(2), validate=True)
    except binascii.Error:
        raise DecryptionError(f"{purpose}: bad base64") from None
    return sm4_gcm_decrypt(keyring().sm4_key(m.group(1)), blob, purpose.encode()).decode()


def key_id_of(stored: str | None) -> str | None:
    m = ENCRYPTED.match(stored or "")
    return m.group(1) if m else None


def blind_index(purpose: str, value: str | None, normalize: str = "text") -> str | None:
    if value is None:
        return None
    v = NORMALIZERS[normalize](str(value))
    if not v:
        return ""
    return keyring().blind_indexer(purpose).digest(v.encode())[:BLIND_INDEX_BYTES].hex()


def blind_index_many(purpose: str, values: Iterable[str | None], normalize: str = "text") -> list[str | None]:
    return blind_index_many_with(keyring().blind_indexer(purpose), values, normalize)


def blind_index_many_with(indexer: HmacSm3, values: Iterable[str | None], normalize: str) -> list[str | None]:
    norm = NORMALIZERS[normalize]
    vals = list(values)
    idx = [i for i, v in enumerate(vals) if v is not None and norm(v)]
    digests = indexer.hexdigests((norm(vals[i]).encode() for i in idx),  # type: ignore[arg-type]
                                 BLIND_INDEX_BYTES)
    out: list[str | None] = [None if v is None else "" for v in vals]
    for i, d in zip(idx, digests, strict=True):
        out[i] = d
    return out


# ---------------------------------------------------------------- model fields


class EncryptedTextField(models.TextField):
    """A text column stored SM4-GCM encrypted; the model instance holds the plaintext.

    purpose: stable name bound into the ciphertext (GCM associated data) and the blind-index subkey;
    blind_index: the name of the model's BlindIndexField for exact-match lookups (None: not searchable);
    normalize: how values are normalized for the blind index ("text", "id_number", "phone", "bank_card")."""

    description = "SM4-GCM encrypted text"

    def __init__(self, *args: Any, purpose: str = "", blind_index: str | None = None, normalize: str = "text",
                 **kwargs: Any) -> None:
        if not purpose:
            raise ValueError("EncryptedTextField needs a purpose")
        if normalize not in NORMALIZERS:
            raise ValueError(f"unknown normalizer {normalize!r}")
        self.purpose, self.blind_index, self.normalize = purpose, blind_index, normalize
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(purpose=self.purpose, normalize=self.normalize)
        if self.blind_index:
            kwargs["blind_index"] = self.blind_index
        return name, path, args, kwargs

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt_value(self.purpose, value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt_value(self.purpose, value)

    def index_of(self, value: Any) -> str | None:
        return blind_index(self.purpose, value, self.normalize)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name in ("exact", "in") and self.blind_index:
            return BlindExact if lookup_name == "exact" else BlindIn
        return None  # FieldError "Unsupported lookup": ciphertext cannot be compared by meaning

    def get_transform(self, lookup_name: str) -> Any:
        return None


class BlindIndexField(models.CharField):
    """The blind index of an EncryptedTextField of the same model (source), kept up to date on every save."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        if not source:
            raise ValueError("BlindIndexField needs its source field")
        self.source = source
        kwargs.setdefault("max_length", BLIND_INDEX_BYTES * 2)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for k, v in (("max_length", BLIND_INDEX_BYTES * 2), ("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(k) == v:
                kwargs.pop(k)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        src = model_instance._meta.get_field(self.source)
        assert isinstance(src, EncryptedTextField)
        value = src.index_of(getattr(model_instance, src.attname))
        setattr(model_instance, self.attname, value)
        return value


class EncryptedFieldsMixin:
    """Model mixin: save(update_fields=[…source…]) also writes the source's blind index."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = [f.name for f in self._meta.concrete_fields  # type: ignore[attr-defined]
                     if isinstance(f, BlindIndexField) and f.source in update_fields and f.name not in update_fields]
            kwargs["update_fields"] = [*update_fields, *extra]
        super().save(*args, **kwargs)  # type: ignore[misc]


def _blind_lhs(lhs: Any) -> tuple[Col, EncryptedTextField]:
    field = getattr(lhs, "target", None)
    if not isinstance(lhs, Col) or not isinstance(field, EncryptedTextField) or not field.blind_index:
        raise FieldError("encrypted columns can only be compared as a plain column with an exact value")
    companion = field.model._meta.get_field(field.blind_index)
    assert isinstance(companion, models.Field)
    return Col(lhs.alias, companion), field


class BlindExact(lookups.Exact):
    """column = value  →  column_bidx = HMAC-SM3(value)."""

    prepare_rhs = False

    def __init__(self, lhs: Any, rhs: Any) -> None:
        col, field = _blind_lhs(lhs)
        if hasattr(rhs, "resolve_expression"):
            raise FieldError("encrypted columns compare with plain values only")
        super().__init__(col, field.index_of(rhs) if rhs is not None else None)


class BlindIn(lookups.In):
    prepare_rhs = False

    def __init__(self, lhs: Any, rhs: Any) -> None:
        col, field = _blind_lhs(lhs)
        if hasattr(rhs, "resolve_expression"):
            raise FieldError("encrypted columns compare with plain values only")
        super().__init__(col, [field.index_of(v) for v in rhs if v is not None])


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every encrypted column of every installed model (rotation, the verify check, the data migration)."""
    from django.apps import apps

    return [(m, f) for m in apps.get_models() for f in m._meta.concrete_fields if isinstance(f, EncryptedTextField)]

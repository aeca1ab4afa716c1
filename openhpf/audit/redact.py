"""What the audit trail may store of a person (item "personal data in the audit trail").

Sealed rows are kept for ever and read by the security auditor, so no value of a grade ≥ 3 field (ID number,
phone, bank card: core/classification.py) is stored in clear in `before`/`after` or in the actor label. Such a
value is replaced by its masked form, and a sibling `<key>_bidx` holds its blind index (HMAC-SM3 under the same
purpose as the encrypted column, e.g. `accounts.Member.id_number_bidx`), so an investigator who knows the value
can still find every row about it, and nobody reading the trail learns it. Person names are masked (张*),
amounts and codes stay as they are.

Two nets, both applied to every row before it is written:
- by key: a value under a key of `SENSITIVE_KEYS` (anywhere in the nested JSON) is masked with a blind index; a
  value under a key of `NAME_KEYS`, or under `name` in a row about a person, is masked;
- by shape: any remaining text holding an 18-character 身份证号 or an 11-digit mobile number (a search query, a
  login typed by a member, a free-text reason) has it masked in place.
Rows sealed before this rule are not rewritten (the chain covers them); `hpf demo` regenerates the demo data."""

from __future__ import annotations

from typing import Any

from openhpf.core.masking import mask, redact_text
from openhpf.security.fields import blind_index

# key → (masking kind, blind-index purpose, normaliser); purposes are those of the encrypted columns
SENSITIVE_KEYS: dict[str, tuple[str, str, str]] = {
    "id_number": ("id_number", "id_number", "id_number"),
    "phone": ("phone", "phone", "phone"),
    "mobile": ("phone", "phone", "phone"),
    "contact_phone": ("phone", "phone", "phone"),
    "recipient": ("phone", "phone", "phone"),
    "bank_card": ("bank_card", "bank_card", "bank_card"),
    "card_no": ("bank_card", "bank_card", "bank_card"),
    "counter_account": ("bank_card", "bank_card", "bank_card"),
    "payee_account": ("bank_card", "bank_card", "bank_card"),
}
NAME_KEYS = frozenset({"member_name", "contact_name", "display_name", "counter_name", "payer_name", "payee_name",
                       "agent_name", "holder_name", "person_name"})
# rows about these objects hold a person's name under the plain key "name"
PERSON_OBJECTS = frozenset({"accounts.member", "iam.employeragent", "iam.memberprincipal", "auth.user",
                            "iam.staffprofile", "contributions.flexibleagreement"})


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return _redact_dict(value, person=False)
    if isinstance(value, list):
        return [_redact_value(v) for v in value]
    return value


def _sensitive(key: str, value: Any, out: dict[str, Any]) -> None:
    kind, purpose, normalize = SENSITIVE_KEYS[key]
    if isinstance(value, list):
        out[key] = [mask(kind, str(v)) if v not in (None, "") else v for v in value]
        out[f"{key}_bidx"] = [blind_index(purpose, str(v), normalize) if v not in (None, "") else v for v in value]
        return
    if value in (None, "") or isinstance(value, dict):
        out[key] = _redact_value(value)
        return
    out[key] = mask(kind, str(value))
    out[f"{key}_bidx"] = blind_index(purpose, str(value), normalize)


def _redact_dict(data: dict[str, Any], *, person: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        k = str(key)
        if k in SENSITIVE_KEYS:
            _sensitive(k, value, out)
        elif (k in NAME_KEYS or (person and k == "name")) and isinstance(value, str):
            out[k] = mask("name", value)
        elif k.endswith("_bidx") and k[:-5] in SENSITIVE_KEYS:
            out.setdefault(k, value)
        else:
            out[k] = _redact_value(value)
    return out


def redact(data: dict[str, Any] | None, *, object_type: str = "") -> dict[str, Any] | None:
    """`before`/`after` of an audit row as the trail may store it (see the module's docstring)."""
    if data is None:
        return None
    return _redact_dict(data, person=object_type in PERSON_OBJECTS)

"""`hpf verify` invariant: encrypted columns hold ciphertext only, under keys the keyring has."""

from openhpf.core.verify import CheckResult, register

from .services import encrypted_column_problems


@register("security.encryption")
def check_encryption() -> CheckResult:
    problems = encrypted_column_problems()
    return CheckResult("security.encryption", not problems, "加密字段均为密文，密钥均在密钥环中", problems)

"""Known-answer tests from the standards (GB/T 32905 SM3, GB/T 32907 SM4, GB/T 32918 SM2) and round trips."""

import shutil
import subprocess

import pytest
from gmalg import SM3
from gmalg.ellipticcurve import ECDLP
from gmalg.sm2 import SM2Core

from openhpf.security import crypto

KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")


def test_sm3_gbt32905_vectors():
    assert crypto.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert crypto.sm3_hex(b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_hmac_sm3_fast_path_equals_rfc2104():
    import hmac

    for key in (b"k", b"x" * 32, b"y" * 64, b"z" * 100):
        h = crypto.HmacSm3(key)
        for msg in (b"", b"abc", b"110105194912310029" * 7):
            assert h.digest(msg) == hmac.new(key, msg, "sm3").digest() == crypto.hmac_sm3(key, msg)


def test_sm4_gbt32907_vector():
    assert crypto.sm4_encrypt_block(KEY, KEY).hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm4_gbt32907_million_iterations():
    """Example 2 of GB/T 32907: the plaintext encrypted 1,000,000 times with the same key (about 1.5 s)."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    enc = Cipher(algorithms.SM4(KEY), modes.ECB()).encryptor()
    block = KEY
    for _ in range(1_000_000):
        block = enc.update(block)
    assert block.hex() == "595298c7c6fd271f0402f804c33d3f66"


def test_sm4_gcm_round_trip_and_tamper():
    blob = crypto.sm4_gcm_encrypt(KEY, b"110105194912310029", b"id_number")
    assert len(blob) == 12 + 18 + 16
    assert crypto.sm4_gcm_decrypt(KEY, blob, b"id_number") == b"110105194912310029"
    assert crypto.sm4_gcm_encrypt(KEY, b"same", b"a") != crypto.sm4_gcm_encrypt(KEY, b"same", b"a")  # fresh nonce
    bad = bytearray(blob)
    bad[15] ^= 1
    for args in ((KEY, bytes(bad), b"id_number"), (KEY, blob, b"phone"), (bytes(16), blob, b"id_number")):
        with pytest.raises(crypto.DecryptionError):
            crypto.sm4_gcm_decrypt(*args)
    many = crypto.sm4_gcm_encrypt_many(KEY, [b"a", b"bb", b""], b"x")
    assert [crypto.sm4_gcm_decrypt(KEY, b, b"x") for b in many] == [b"a", b"bb", b""]


def test_sm4_gcm_rfc8998_vector():
    """RFC 8998 Appendix A.1 (SM4-GCM), the test vector of the TLS 1.3 SM cipher suites."""
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    nonce = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    pt = bytes.fromhex("AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
                       "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA")
    blob = crypto.sm4_gcm_encrypt(key, pt, aad, nonce=nonce)
    assert blob[12:-16].hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D")
    assert blob[-16:].hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"


# GB/T 32918.2-2016 Annex A: the example over the 256-bit test curve (not the recommended curve)
TEST_CURVE = ECDLP(
    0x8542D69E_4C044F18_E8B92435_BF6FF7DE_45728391_5C45517D_722EDB8B_08F1DFC3,
    0x787968B4_FA32C3FD_2417842E_73BBFEFF_2F3C848B_6831D7E0_EC65228B_3937E498,
    0x63E4C6D3_B23B0C84_9CF84241_484BFE48_F61D59A5_B16BA06E_6E12D1DA_27C5249A,
    (0x421DEBD6_1B62EAB6_746434EB_C3CC315E_32220B3B_ADD50BDC_4C4E6C14_7FEDD43D,
     0x0680512B_CBB42C07_D47349D2_153B70C4_E5D7FDFC_BFA36EA1_A85841B9_E46E09A2),
    0x8542D69E_4C044F18_E8B92435_BF6FF7DD_29772063_0485628D_5AE74EE7_C32E79B7,
)


def test_sm2_gbt32918_annex_a_signature():
    k = 0x6CB28D99_385C175C_94F94E93_4817663F_C176D925_DD72B727_260DBAAE_1FB2F96F
    core = SM2Core(TEST_CURVE, SM3(), lambda _bits: k)
    d = 0x128B2FA8_BD433C6C_068C8D80_3DFF7979_2A519A55_171B1B65_0C23661D_15897263
    pub = (0x0AE4C779_8AA0F119_471BEE11_825BE462_02BB79E2_A5844495_E97C04FF_4DF2548A,
           0x7C0240F8_8F1CD4E1_6352A73C_17B7F16F_07353E53_A176D684_A9FE0C6B_B798E857)
    assert core.generate_pk(d) == pub
    uid = b"ALICE123@YAHOO.COM"
    r, s = core.sign(b"message digest", d, uid, pub)
    assert r == 0x40F1EC59_F793D9F4_9E09DCEF_49130D41_94F79FB1_EED2CAA5_5BACDB49_C4E755D1
    assert s == 0x6FC6DAC3_2C5D5CF1_0C77DFB2_0F7C2EB6_67A45787_2FB09EC5_6327A67E_C7DEEBE7
    assert core.verify(b"message digest", r, s, uid, pub)
    assert not core.verify(b"message digesT", r, s, uid, pub)


# GM/T 0003-2012 / draft-shen-sm2-ecdsa example on the recommended curve, default user id 1234567812345678
SM2_SK = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8"
SM2_PK = ("0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020"
          "ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13")
SM2_SIG = ("f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3"
           "b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa")


def test_sm2_recommended_curve_vector_with_default_user_id():
    assert crypto.sm2_public_key(SM2_SK) == SM2_PK
    assert crypto.sm2_verify(SM2_PK, b"message digest", SM2_SIG)
    assert not crypto.sm2_verify(SM2_PK, b"message digest", SM2_SIG, user_id=b"ALICE123@YAHOO.COM")


def test_sm2_round_trip_and_tamper():
    sk, pk = crypto.sm2_generate_keypair()
    assert crypto.sm2_public_key(sk) == pk and len(sk) == 64 and len(pk) == 130
    sig = crypto.sm2_sign(sk, b"merkle root", public_hex=pk)
    assert len(sig) == 128
    assert crypto.sm2_verify(pk, b"merkle root", sig)
    assert not crypto.sm2_verify(pk, b"merkle rooT", sig)
    assert not crypto.sm2_verify(pk, b"merkle root", sig[:-2] + ("00" if sig[-2:] != "00" else "01"))
    assert not crypto.sm2_verify(crypto.sm2_generate_keypair()[1], b"merkle root", sig)
    assert not crypto.sm2_verify(pk, b"merkle root", "zz")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command line")
def test_sm2_signature_verifies_in_openssl(tmp_path):
    """Cross-check with an independent implementation: OpenSSL's SM2 verifies our signature (DER-wrapped)."""
    sk, pk = crypto.sm2_generate_keypair()
    msg = b"openhpf cross-check"
    sig = bytes.fromhex(crypto.sm2_sign(sk, msg, public_hex=pk))

    def der_int(b: bytes) -> bytes:
        b = b.lstrip(b"\0") or b"\0"
        if b[0] & 0x80:
            b = b"\0" + b
        return bytes([2, len(b)]) + b

    body = der_int(sig[:32]) + der_int(sig[32:])
    (tmp_path / "sig.der").write_bytes(bytes([0x30, len(body)]) + body)
    (tmp_path / "msg").write_bytes(msg)
    # SubjectPublicKeyInfo for id-ecPublicKey / SM2 curve (1.2.156.10197.1.301)
    spki = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200") + bytes.fromhex(pk)
    (tmp_path / "pub.der").write_bytes(spki)
    proc = subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "pub.der"), "-keyform", "DER",
         "-rawin", "-in", str(tmp_path / "msg"), "-sigfile", str(tmp_path / "sig.der"), "-digest", "sm3",
         "-pkeyopt", "distid:1234567812345678"],
        capture_output=True, text=True, check=False,
    )
    if "unknown" in proc.stderr.lower() or "not supported" in proc.stderr.lower():
        pytest.skip(f"openssl without SM2: {proc.stderr[:200]}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Signature Verified Successfully" in proc.stdout

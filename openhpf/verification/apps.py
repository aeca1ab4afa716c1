from django.apps import AppConfig


class VerificationConfig(AppConfig):
    """核验: the verification sources (不动产登记, 民政婚姻, 公安户籍, 人社退休, 医保住院, 征信, 法院失信, 人脸) behind one
    platform interface. Below the catalogue: domain apps and the engine ask it; it imports none of them."""

    name = "openhpf.verification"
    label = "verification"
    verbose_name = "核验"

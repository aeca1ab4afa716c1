from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "openhpf.documents"
    label = "documents"
    verbose_name = "业务档案"

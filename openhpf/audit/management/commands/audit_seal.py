"""hpf audit_seal: seal pending audit rows into the SM3 chain now (the sealer also runs after each commit)."""

from django.core.management.base import BaseCommand

from openhpf.audit.services import audit_seal_pending


class Command(BaseCommand):
    help = "把尚未封存的审计记录封存进 SM3 哈希链"

    def handle(self, *args, **opts):
        n = audit_seal_pending()
        self.stdout.write(f"封存审计记录 {n} 条")

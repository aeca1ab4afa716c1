"""hpf audit_seal: the periodic sealer. Chains the pending audit rows (and the seal sources' pieces, such as the
ledger's entry digests) into the SM3 chain in SM2-signed checkpoints, then appends their heads to the anchor.
Run it on a timer (well inside HPF_AUDIT_SEAL_INTERVAL), or with --every to keep it running; day-end seals too."""

import time

from django.core.management.base import BaseCommand

from openhpf.audit.services import audit_seal


class Command(BaseCommand):
    help = "把尚未封存的审计记录与账簿摘要封存进 SM3 哈希链，并把检查点写入链外锚定文件"

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, metavar="秒",
                            help="每隔这么多秒封存一次，一直运行（默认只封存一次）")

    def handle(self, *args, **opts):
        every = opts["every"]
        while True:
            r = audit_seal()
            sources = "，".join(f"{name} {n} 批" for name, n in sorted(r.sources.items())) or "无"
            self.stdout.write(f"封存审计记录 {r.rows} 条，检查点 {r.checkpoints} 个，锚定 {r.anchored} 行，"
                              f"摘要来源：{sources}，用时 {r.seconds:.2f} 秒")
            if every <= 0:
                return
            time.sleep(every)

"""hpf bank-sim: run the bank simulator (banksim) as its own process; it needs no database."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from banksim.server import add_arguments, run


class Command(BaseCommand):
    help = "银行模拟器：独立进程，以 HTTP 提供 BDC 报文服务，自带账簿和故障注入。报文见 docs/bdc-protocol.md，账簿为 SQLite 文件，收到 SIGTERM/SIGINT 退出"
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        add_arguments(parser)

    def handle(self, *args, **opts):
        code = run(host=opts["host"], port=opts["port"], db=opts["db"], notify_url=opts["notify_url"],
                   port_file=opts["port_file"], batch_delay=opts["batch_delay"], demand_rate=opts["demand_rate"])
        if code:
            raise CommandError("bank-sim 未能启动", returncode=code)

"""hpf withdrawals …: 提取 from the command line. 约定提取 / 逐月代扣 (see openhpf/withdrawals/agreed_cli.py):

    hpf withdrawals agreement sign --account-no … --loan-kind commercial --contract-no … --installment 元 …
    hpf withdrawals agreement stop --id N --reason …
    hpf withdrawals agreement list [--status active] [--account-no …] [--page N]
    hpf withdrawals agreed-run --month YYYY-MM --as 用户名
    hpf withdrawals agreed-runs [--page N]
    hpf withdrawals agreed-release --run N --as 复核人

批量支付 (see openhpf/withdrawals/batch_cli.py):

    hpf withdrawals batch --as 经办人
    hpf withdrawals batch-show --seq 流水号
    hpf withdrawals batch-release --seq 流水号 --as 复核人"""

from __future__ import annotations

from openhpf.core.cli_options import BackValueCommand
from openhpf.withdrawals import agreed_cli, batch_cli


class Command(BackValueCommand):
    help = "提取：约定提取协议（签订、终止、查询）、约定提取月度批量与复核放行、提取批量支付与复核放行"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        agreed_cli.add_arguments(sub)
        batch_cli.add_arguments(sub)

    def handle(self, *args, **opts):
        if opts["action"] in batch_cli.ACTIONS:
            self.stdout.write(batch_cli.handle(opts))
        else:
            self.stdout.write(agreed_cli.handle(opts))

"""hpf remit …: 汇缴 from the command line.

    hpf remit import FILE [--employer ACCOUNT] --month YYYY-MM [--exclude-rejected]
    hpf remit receipt (--employer ACCOUNT | --import ID | --payer-name NAME) --amount YUAN --value-date D --bank-ref REF
                      --as USER   (手工登记：待银行流水匹配或复核人确认后入账)
    hpf remit post (--remittance ID | --import ID) [--receipt ID]
    hpf remit create --employer ACCOUNT --month YYYY-MM [--confirm]
    hpf remit back --employer ACCOUNT --month YYYY-MM --kind full|difference|adhoc --reason TEXT
                   [--line 个人账号:单位元:个人元 ...] [--confirm]     (补缴；差额补缴不列人员时按基数调整计算)
    hpf remit assign --receipt ID --employer ACCOUNT          (暂收认领)

Each prints a JSON summary. Exit 0 done, 1 refused (a rejected file prints its error file), 2 usage. Every
writing command takes --business-date (default: the center's) and runs as system:cli, on behalf of --as USER if given."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction

from openhpf.accounts.models import Employer
from openhpf.contributions.management.commands._relief_cli import add_common, common
from openhpf.contributions.models import Receipt, Remittance, RemittanceImport
from openhpf.contributions.remittance.fileimport import remittance_import
from openhpf.contributions.remittance.services import (
    back_payment_create,
    receipt_assign,
    receipt_register_manual,
    remittance_confirm,
    remittance_create,
    remittance_post,
)
from openhpf.core.actors import Actor
from openhpf.core.cli_options import BackValueCommand
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen, parse_yuan


def _usage(msg: str) -> CommandError:
    return CommandError(msg, returncode=2)


def _back_line(text: str, row: int) -> tuple[str, int, int]:
    """'个人账号:单位元:个人元' → (account_no, employer part, member part) in fen."""
    parts = [p.strip() for p in text.replace("：", ":").split(":")]
    if len(parts) != 3 or not parts[0]:
        raise _usage(f"第 {row} 个 --line 格式应为 个人账号:单位部分（元）:个人部分（元）：{text}")
    return (parts[0], parse_yuan(parts[1], field="employer_amount", row=row),
            parse_yuan(parts[2], field="member_amount", row=row))


class Command(BackValueCommand):
    help = "汇缴：生成或导入缴存清册、登记银行到账、暂收款认领、入账"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("import", help="导入缴存清册（.xlsx / .csv）")
        p.add_argument("file")
        p.add_argument("--employer", help="单位账号（文件无单位账号列时必填）")
        p.add_argument("--month", required=True, help="缴存年月 YYYY-MM")
        p.add_argument("--exclude-rejected", action="store_true", help="剔除错误行，其余行生成汇缴单")
        p.add_argument("--errors", help="错误文件路径（.xlsx，默认 var/remit/）")
        p.add_argument("--no-progress", action="store_true")
        add_common(p)
        p = sub.add_parser("receipt", help="登记银行到账")
        p.add_argument("--employer", help="付款单位账号")
        p.add_argument("--import", dest="import_id", type=int, help="代缴文件批次（集中缴款）")
        p.add_argument("--payer-name", default="")
        p.add_argument("--payer-account", default="")
        p.add_argument("--amount", required=True, help="金额（元）")
        p.add_argument("--value-date", required=True, help="到账日 YYYY-MM-DD")
        p.add_argument("--bank-ref", required=True, help="银行流水号")
        add_common(p, money=True)
        p = sub.add_parser("post", help="汇缴入账")
        p.add_argument("--remittance", type=int)
        p.add_argument("--import", dest="import_id", type=int)
        p.add_argument("--receipt", type=int)
        p.add_argument("--no-progress", action="store_true")
        add_common(p)
        p = sub.add_parser("create", help="按单位在册人员生成汇缴清册")
        p.add_argument("--employer", required=True)
        p.add_argument("--month", required=True)
        p.add_argument("--confirm", action="store_true")
        add_common(p)
        p = sub.add_parser("back", help="补缴（全额、差额、个别）")
        p.add_argument("--employer", required=True)
        p.add_argument("--month", required=True, help="补缴年月 YYYY-MM（早于当前月份）")
        p.add_argument("--kind", required=True, choices=["full", "difference", "adhoc"])
        p.add_argument("--reason", required=True)
        p.add_argument("--line", action="append", default=[], help="个人账号:单位部分（元）:个人部分（元），可重复")
        p.add_argument("--confirm", action="store_true")
        add_common(p)
        p = sub.add_parser("assign", help="暂收款认领到单位")
        p.add_argument("--receipt", type=int, required=True)
        p.add_argument("--employer", required=True)
        add_common(p)

    def handle(self, *args: Any, **o: Any) -> None:
        center, actor, bd = common(o, money=o["action"] == "receipt")  # a hand-typed receipt: a person (--as)
        t0 = time.perf_counter()
        try:
            out = getattr(self, f"_{o['action']}")(o, center, actor, bd)
        except DomainError as e:
            raise CommandError(f"[{e.code}] {e.message}", returncode=1) from None
        if out is None:
            return
        out.setdefault("seconds", round(time.perf_counter() - t0, 2))
        self.stdout.write(json.dumps(out, ensure_ascii=False, default=str))

    def _employer(self, center: Any, no: str | None) -> Employer | None:
        if not no:
            return None
        e = Employer.objects.filter(center=center, account_no=no).first()
        if e is None:
            raise _usage(f"单位账号不存在：{no}")
        return e

    def _import(self, o: dict[str, Any], center: Any, actor: Actor, bd: date) -> dict[str, Any] | None:
        path = Path(o["file"])
        if not path.is_file():
            raise _usage(f"文件不存在：{path}")
        res = remittance_import(center=center, path=path, month=o["month"], actor=actor, business_date=bd,
                                employer=self._employer(center, o.get("employer")),
                                exclude_rejected=o["exclude_rejected"], error_file=o.get("errors"),
                                progress=None if o["no_progress"] else "rich")
        ids = res.remittance_ids
        out = {"import_id": res.import_id, "status": "accepted" if res.accepted else "rejected", "rows": res.rows,
               "accepted_rows": res.accepted_rows if res.accepted else 0, "rejected_rows": res.rejected_rows,
               "errors": res.errors, "error_file": res.error_file or None, "remittances": len(ids),
               "remittance_ids": ids if len(ids) <= 1000 else {"first": ids[0], "last": ids[-1]},
               "total_yuan": f"{format_fen(res.total, grouping=False)}", "first_errors": res.first_errors[:10]}
        self.stdout.write(json.dumps(out, ensure_ascii=False, default=str))
        if not res.accepted:
            self.stderr.write(f"清册校验未通过：{res.errors} 处错误，错误文件：{res.error_file}")
            sys.exit(1)
        return None

    def _receipt(self, o: dict[str, Any], center: Any, actor: Actor, bd: date) -> dict[str, Any]:
        try:
            amount = parse_yuan(o["amount"], field="amount")
        except DomainError as e:
            raise _usage(f"[{e.code}] {e.message}（金额应为元，如 1234.56）") from None
        try:
            vd = date.fromisoformat(o["value_date"])
        except ValueError:
            raise _usage("到账日应为 YYYY-MM-DD") from None
        imp = None
        if o.get("import_id"):
            imp = RemittanceImport.objects.filter(center=center, pk=o["import_id"]).first()
            if imp is None:
                raise _usage(f"导入批次不存在：{o['import_id']}")
        with transaction.atomic(durable=True):
            r = receipt_register_manual(center=center, amount=amount, value_date=vd, bank_ref=o["bank_ref"], actor=actor,
                               business_date=bd, employer=self._employer(center, o.get("employer")),
                               source_import=imp, payer_name=o["payer_name"], payer_account=o["payer_account"])
        return {"receipt_id": r.pk, "status": r.status, "status_label": Receipt.Status(r.status).label,
                "amount_yuan": f"{format_fen(r.amount, grouping=False)}", "remittance_ids": list(r.remittances.values_list("pk", flat=True))}

    def _post(self, o: dict[str, Any], center: Any, actor: Actor, bd: date) -> dict[str, Any]:
        if bool(o.get("remittance")) == bool(o.get("import_id")):
            raise _usage("请指定 --remittance ID 或 --import ID 之一")
        rem = imp = rc = None
        if o.get("remittance"):
            rem = Remittance.objects.filter(center=center, pk=o["remittance"]).first()
            if rem is None:
                raise _usage(f"汇缴单不存在：{o['remittance']}")
        else:
            imp = RemittanceImport.objects.filter(center=center, pk=o["import_id"]).first()
            if imp is None:
                raise _usage(f"导入批次不存在：{o['import_id']}")
        if o.get("receipt"):
            rc = Receipt.objects.filter(center=center, pk=o["receipt"]).first()
            if rc is None:
                raise _usage(f"到账记录不存在：{o['receipt']}")
        res = remittance_post(actor=actor, business_date=bd, remittance=rem, source_import=imp, receipt=rc,
                              progress=None if o["no_progress"] else "rich")
        ids = res.remittance_ids
        return {"remittance_ids": ids if len(ids) <= 1000 else {"first": ids[0], "last": ids[-1]},
                "remittances": len(ids), "lines": res.lines, "total_yuan": f"{format_fen(res.total, grouping=False)}",
                "source": res.source, "voucher_no": res.voucher_no, "batch": res.batch_key, "job_id": res.job_id,
                "already_posted": res.already_posted}

    def _create(self, o: dict[str, Any], center: Any, actor: Actor, bd: date) -> dict[str, Any]:
        e = self._employer(center, o["employer"])
        with transaction.atomic(durable=True):
            r = remittance_create(employer=e, month=o["month"], actor=actor, business_date=bd)  # type: ignore[arg-type]
            if o["confirm"]:
                r = remittance_confirm(remittance=r, actor=actor, business_date=bd)
        return {"remittance_id": r.pk, "status": r.status, "lines": r.lines, "total_yuan": f"{format_fen(r.total, grouping=False)}"}

    def _back(self, o: dict[str, Any], center: Any, actor: Actor, bd: date) -> dict[str, Any]:
        lines = [_back_line(text, i) for i, text in enumerate(o["line"], 1)]
        e = self._employer(center, o["employer"])
        with transaction.atomic(durable=True):
            r = back_payment_create(employer=e, month=o["month"], back_kind=o["kind"], reason=o["reason"],  # type: ignore[arg-type]
                                    lines=lines or None, actor=actor, business_date=bd)
            if o["confirm"]:
                r = remittance_confirm(remittance=r, actor=actor, business_date=bd)
        return {"remittance_id": r.pk, "status": r.status, "kind": r.back_kind, "lines": r.lines,
                "total_yuan": f"{format_fen(r.total, grouping=False)}"}

    def _assign(self, o: dict[str, Any], center: Any, actor: Actor, bd: date) -> dict[str, Any]:
        rc = Receipt.objects.filter(center=center, pk=o["receipt"]).first()
        if rc is None:
            raise _usage(f"到账记录不存在：{o['receipt']}")
        with transaction.atomic(durable=True):
            rc = receipt_assign(receipt=rc, employer=self._employer(center, o["employer"]), actor=actor,  # type: ignore[arg-type]
                                business_date=bd)
        return {"receipt_id": rc.pk, "status": rc.status}

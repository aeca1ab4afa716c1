"""hpf settlement …: 专户, bank channels, payments and collections through the settlement gateway.

The actions that move money (pay, collect, deposit-open, deposit-withdraw, deposit-notify) and the maker-checker
requests (channel, payee-add) run as the staff member named by --as, with that person's permissions; the others as
SystemActor("cli") (core.cli_options). A payment held for a checker prints state "held" and the release command.

The lists (`list`, `deposits`) print every row, streamed from the database in chunks, as one JSON object
`{"total": N, "items": [...]}`; with `--page P` (and `--page-size S`, default 200) only that page, with `page` and
`page_size` beside the true total. The count is also said on stderr."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction

from openhpf.core.actors import Actor
from openhpf.core.cli_options import BackValueCommand, add_common, common
from openhpf.core.codes import SettlementBizType
from openhpf.core.errors import DomainError, ValidationReport
from openhpf.core.money import parse_yuan
from openhpf.settlement import deposits, four_eyes, selectors, services
from openhpf.settlement.models import BankAccount, Deposit, Instruction


def _account(center: Any, no: str) -> BankAccount:
    a = BankAccount.objects.filter(center=center, account_no=no).select_related("gl_account").first()
    if a is None:
        raise CommandError(f"专户不存在：{no}")
    return a


def _ins(i: Instruction) -> dict[str, Any]:
    return {"seq": i.seq, "code": i.code, "state": i.state, "state_label": i.get_state_display(), "amount": i.amount,
            "result": i.result, "message": i.message, "bank_seq": i.bank_seq, "resolved_by": i.resolved_by}


LIST_CHUNK = 2000


def _add_paging(p: Any) -> None:
    p.add_argument("--page", type=int, help="只列出第几页（默认：全部列出）")
    p.add_argument("--page-size", type=int, default=200, help="每页条数（与 --page 同用，默认 200）")


def _stream_list(write: Callable[[str], None], qs: Any, row: Any, *, page: int | None,
                 page_size: int) -> dict[str, Any]:
    """Write `{"total", ["page", "page_size",] "items"}`, the rows read in chunks (never all in memory); returns
    the head (total, and the page shown)."""
    total = qs.count()
    head: dict[str, Any] = {"total": total}
    if page is not None:
        if page < 1 or page_size < 1:
            raise CommandError("--page 与 --page-size 须为正整数")
        pages = max(1, -(-total // page_size))
        page = min(page, pages)
        head.update(page=page, page_size=page_size)
        qs = qs[(page - 1) * page_size: page * page_size]
    write(json.dumps(head, ensure_ascii=False)[:-1] + ', "items": [')
    for n, r in enumerate(qs.iterator(chunk_size=LIST_CHUNK)):
        write(("," if n else "") + json.dumps(row(r), ensure_ascii=False, default=str))
    write("]}\n")
    return head


def _deposit(d: Deposit) -> dict[str, Any]:
    return {"deposit_no": d.deposit_no, "kind": d.kind, "status": d.get_status_display(), "principal": d.principal,
            "rate": d.rate, "start_date": d.start_date, "maturity_date": d.maturity_date,
            "interest_received": d.interest_received}


# the actions made by a person (--as): money movements, and the maker-checker requests (channel, payee-add)
MONEY_ACTIONS = frozenset({"pay", "collect", "deposit-open", "deposit-withdraw", "deposit-notify", "channel",
                           "payee-add"})


class Command(BackValueCommand):
    help = "银行结算：专户、银行接口、付款与收款指令、指令查证、账户变动通知"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("account-open", help="开立专户")
        add_common(p)
        p.add_argument("--bank-code", required=True)
        p.add_argument("--bank-name", required=True)
        p.add_argument("--account-no", required=True)
        p.add_argument("--name", default="", help="户名（默认：中心名称）")
        p.add_argument("--kind", default="101", choices=["101", "102"])
        p = sub.add_parser("channel", help="申请变更银行接口地址（须经复核，批准后生效）")
        add_common(p, money=True)
        p.add_argument("--bank-code", required=True)
        p.add_argument("--url", required=True, help="例如 https://bank.example.cn/bdc（主机须在 HPF_BANK_URL_ALLOWLIST 中）")
        p.add_argument("--timeout", type=int, default=10)
        p = sub.add_parser("payee-add", help="申请登记收款人（须经复核，批准后生效）")
        add_common(p, money=True)
        p.add_argument("--account-no", required=True)
        p.add_argument("--account-name", required=True)
        p.add_argument("--bank-name", default="")
        p.add_argument("--kind", default="counterparty", choices=["counterparty", "own"])
        add_common(sub.add_parser("payees", help="登记收款人列表"))
        p = sub.add_parser("pay", help="单笔付款（BDC101）并发送")
        add_common(p, money=True)
        p.add_argument("--account", required=True, help="付款专户账号")
        p.add_argument("--amount", required=True, help="金额（元）")
        p.add_argument("--payee-account", required=True)
        p.add_argument("--payee-name", required=True)
        p.add_argument("--book", required=True, help="借方科目，例如 21901、41102")
        p.add_argument("--biz-type", default=SettlementBizType.OTHER.value, help="结算业务类型代码")
        p.add_argument("--summary", default="")
        p.add_argument("--no-send", action="store_true", help="只创建，不发送")
        p = sub.add_parser("collect", help="单笔收款（BDC102）并发送；到账作为归集到账处理")
        add_common(p, money=True)
        p.add_argument("--account", required=True, help="收款专户账号")
        p.add_argument("--amount", required=True, help="金额（元）")
        p.add_argument("--payer-account", required=True)
        p.add_argument("--payer-name", default="")
        p.add_argument("--biz-type", default=SettlementBizType.COLLECTION.value, help="结算业务类型代码")
        for name, helptext in (("process", "发送待发指令、查证结果未知的指令、查询批量结果"),
                               ("notices", "拉取账户变动通知（BDC124）并登记到账")):
            add_common(sub.add_parser(name, help=helptext))
        p = sub.add_parser("balance", help="实时余额（BDC123）与账面余额")
        add_common(p)
        p.add_argument("--account", required=True)
        p = sub.add_parser("deposit-open", help="定期（BDC114）或通知存款（BDC117）存入并发送")
        add_common(p, money=True)
        p.add_argument("--account", required=True, help="住房公积金存款专户账号")
        p.add_argument("--kind", required=True, choices=["time", "notice"])
        p.add_argument("--amount", required=True, help="金额（元）")
        p.add_argument("--rate", required=True, help="年利率（%%），如 1.75")
        p.add_argument("--term", type=int, help="定期期限（月）")
        p.add_argument("--notice-days", type=int, help="通知天数（1 或 7）")
        p = sub.add_parser("deposit-withdraw", help="定期（BDC115）或通知存款（BDC120）支取并发送")
        add_common(p, money=True)
        p.add_argument("--deposit-no", required=True)
        p.add_argument("--amount", help="通知存款部分支取金额（元）")
        p = sub.add_parser("deposit-notify", help="通知存款支取通知（BDC118）")
        add_common(p, money=True)
        p.add_argument("--deposit-no", required=True)
        p.add_argument("--amount", required=True, help="金额（元）")
        p.add_argument("--date", required=True, help="支取日期 YYYY-MM-DD")
        p = sub.add_parser("deposits", help="定期与通知存款列表（全部，或 --page 的一页）")
        add_common(p)
        _add_paging(p)
        p = sub.add_parser("list", help="指令列表（新的在前；全部，或 --page 的一页）")
        add_common(p)
        p.add_argument("--state", default="")
        _add_paging(p)

    def handle(self, *args, **opts):
        action = opts["action"]
        center, actor, bd = common(opts, money=action in MONEY_ACTIONS)
        try:
            if action in ("list", "deposits"):
                qs = (selectors.instructions(center=center, user=actor, state=opts["state"]) if action == "list"
                      else selectors.deposits(center=center, user=actor))
                head = _stream_list(lambda text: self.stdout.write(text, ending=""), qs,
                                    _ins if action == "list" else _deposit, page=opts["page"],
                                    page_size=opts["page_size"])
                self.stderr.write(f"共 {head['total']} 条{'指令' if action == 'list' else '存单'}"
                                  + (f"，本页为第 {head['page']} 页（每页 {head['page_size']} 条）" if "page" in head
                                     else "，已全部列出"))
                return
            if action == "account-open":
                with transaction.atomic(durable=True):
                    a = services.bank_account_open(center=center, bank_code=opts["bank_code"],
                                                   bank_name=opts["bank_name"], account_no=opts["account_no"],
                                                   account_name=opts["name"], kind=opts["kind"], actor=actor,
                                                   business_date=bd)
                out: Any = {"account_no": a.account_no, "gl": a.gl_account.code}
            elif action in ("channel", "payee-add", "payees"):
                out = _four_eyes(center, actor, opts)
            elif action == "pay":
                with transaction.atomic(durable=True):
                    ins = services.payment_submit(
                        center=center, bank_account=_account(center, opts["account"]),
                        amount=parse_yuan(opts["amount"], field="amount"), payee_account=opts["payee_account"],
                        payee_name=opts["payee_name"], biz_type=opts["biz_type"], book_account=opts["book"],
                        summary=opts["summary"], actor=actor, business_date=bd, source="cli")
                if ins.state == Instruction.State.HELD:  # waits for a checker: sent when its release is approved
                    out = {**_ins(ins), "hold": four_eyes.held_answer(ins)}
                else:
                    if not opts["no_send"]:
                        ins = services.instruction_send(instruction=ins, actor=actor, business_date=bd)
                    out = _ins(ins)
            elif action == "collect":
                with transaction.atomic(durable=True):
                    ins = services.collection_submit(
                        center=center, bank_account=_account(center, opts["account"]),
                        amount=parse_yuan(opts["amount"], field="amount"), payer_account=opts["payer_account"],
                        payer_name=opts["payer_name"], biz_type=opts["biz_type"], actor=actor, business_date=bd,
                        source="cli")
                out = _ins(services.instruction_send(instruction=ins, actor=actor, business_date=bd))
            elif action == "process":
                out = services.instructions_process(center=center, actor=actor, business_date=bd)
            elif action == "notices":
                out = services.notices_pull(center=center, actor=actor, business_date=bd)
            elif action.startswith("deposit"):
                out = _deposits(center, actor, bd, opts)
            else:  # balance
                out = services.balance_query(bank_account=_account(center, opts["account"]), actor=actor,
                                             business_date=bd)
        except ValidationReport as r:
            raise CommandError("；".join(f"[{e.code}] 第{e.row}行 {e.message}" for e in r.errors[:20])) from None
        except DomainError as e:
            raise CommandError(f"[{e.code}] {e.message}") from None
        self.stdout.write(json.dumps(out, ensure_ascii=False, default=str))


def _four_eyes(center: Any, actor: Actor, opts: dict[str, Any]) -> Any:
    """The maker-checker requests (a channel change, a payee) and the payee registry."""
    if opts["action"] == "payees":
        return [{"id": p.id, "account_no": p.account_no, "account_name": p.account_name, "kind": p.kind,
                 "approved_by": p.approved_by} for p in selectors.payees(center=center, actor=actor)]
    with transaction.atomic(durable=True):
        if opts["action"] == "channel":
            cmd = services.bank_channel_request(center=center, bank_code=opts["bank_code"], url=opts["url"],
                                                timeout_seconds=opts["timeout"], actor=actor)
        else:
            cmd = services.payee_request(center=center, account_no=opts["account_no"],
                                         account_name=opts["account_name"], bank_name=opts["bank_name"],
                                         kind=opts["kind"], actor=actor)
    return {"command": cmd.pk, "name": cmd.name, "status": cmd.status, "summary": cmd.summary}


def _deposits(center: Any, actor: Actor, bd: Any, opts: dict[str, Any]) -> Any:
    action = opts["action"]
    if action == "deposit-open":
        with transaction.atomic(durable=True):
            opened = deposits.deposit_open(center=center, bank_account=_account(center, opts["account"]),
                                           kind=opts["kind"], amount=parse_yuan(opts["amount"], field="amount"),
                                           rate=opts["rate"], term_months=opts["term"],
                                           notice_days=opts["notice_days"], actor=actor, business_date=bd)
        ins = services.instruction_send(instruction=opened.open_instruction, actor=actor, business_date=bd)
        opened.refresh_from_db()
        return {**_ins(ins), "deposit_no": opened.deposit_no, "deposit_status": opened.get_status_display()}
    dep = Deposit.objects.filter(center=center, deposit_no=opts["deposit_no"]).first()
    if dep is None:
        raise CommandError(f"存单不存在：{opts['deposit_no']}")
    if action == "deposit-notify":
        dep = deposits.deposit_notify(deposit=dep, amount=parse_yuan(opts["amount"], field="amount"),
                                      withdraw_date=date.fromisoformat(opts["date"]), actor=actor, business_date=bd)
        return {"deposit_no": dep.deposit_no, "notice_amount": dep.notice_amount, "notice_date": dep.notice_date}
    with transaction.atomic(durable=True):
        ins = deposits.deposit_withdraw(deposit=dep, actor=actor, business_date=bd,
                                        amount=parse_yuan(opts["amount"], field="amount") if opts.get("amount") else None)
    ins = services.instruction_send(instruction=ins, actor=actor, business_date=bd)
    dep.refresh_from_db()
    return {**_ins(ins), "interest_received": dep.interest_received, "principal_left": dep.principal}

"""The withdrawal reasons 04, 05, 08, 09, 99 and the local reasons on the application engine.

- HPF-P-WD-04 完全丧失劳动能力并终止劳动关系 (closing): the 劳动能力鉴定 conclusion (完全丧失) and the end of the
  labour relation, both recorded from the proofs; the whole balance plus interest to date to the member's card.
- HPF-P-WD-05 户口迁出或出境定居 (closing): 出境定居 closes the account (条例第二十四条). 户口迁出本市 closes it only
  where the center's policy value `withdrawal.hukou_out.closes_account` says so; otherwise the rule refuses it and
  points to 异地转移接续.
- HPF-P-WD-08 死亡或宣告死亡 (closing): filed by the 继承人 / 受遗赠人 (the member is the deceased). The balance plus
  interest to date is allocated by share (fractions summing to 1, the fen by largest remainder so the sum is
  exact); each payee's account enters the payee registry and is paid by its own BDC101; the account closes when
  every share is paid. With no heir and no legatee, the balance goes to 增值收益 (Dr 201 / Cr 311) only when a
  checker approves the command `withdrawals.death_escheat` (maker ≠ checker); no bank payment.
- HPF-P-WD-09 大病医疗: amount ≤ the out-of-pocket cost of the hospital invoices; the frequency of the reason's
  configuration.
- HPF-P-WD-99 其他 and the local reasons (HPF-P-WD-L01 … L99): one handler driven by the reason's configuration
  (amount rule 不超过可用余额, or 不超过本地限额: the policy value `withdrawal.local.caps` by item code) and its rule
  set, so a center adds a local reason by data: a catalogue item, a ReasonConfig and a rule set under a free code
  of the range. 代际互助 records the parent or child the money is for.

Each handler's `validate` lists every payload problem at once; the rule sets (seeded by migration
withdrawals/0004, changed through maker-checker) hold the decision, every result stored and shown together."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from django.db import transaction

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.services import (
    member_account_check_debit,
    member_account_close_by_withdrawal,
    member_account_next_status,
    member_debit_split,
)
from openhpf.applications.models import Application, ReviewDecision, State
from openhpf.applications.registry import Handler, register_handler
from openhpf.applications.services import application_execution_done
from openhpf.approvals.registry import Fact, Summary, applying, register, register_renderer
from openhpf.approvals.services import command_submit
from openhpf.core.actors import Actor, actor_label
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.codes import BizType, MemberAccountStatus, SettlementBizType
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.ids import validate_resident_id
from openhpf.core.masking import mask_id_number
from openhpf.core.money import format_fen
from openhpf.core.policy import policy_value
from openhpf.ledger.chart import MEMBER_CONTROL
from openhpf.ledger.models import JournalEntry, SubAccount
from openhpf.ledger.services import Line, SubRow, entry_post, subaccount_set_reserves
from openhpf.security.fields import decrypt_value, encrypt_value, is_encrypted
from openhpf.settlement import services as settlement
from openhpf.settlement.four_eyes import payee_register, register_application_source
from openhpf.settlement.models import Instruction, Payee
from openhpf.settlement.selectors import fund_account_for_payments

from . import payout
from .config import reason_config
from .handlers import _account, _on, common_inputs
from .models import HeirShare, Payout, ReasonConfig
from .risk import RISK_INPUTS

DISABILITY = "HPF-P-WD-04"
EMIGRATION = "HPF-P-WD-05"
DEATH = "HPF-P-WD-08"
MEDICAL = "HPF-P-WD-09"
OTHER = "HPF-P-WD-99"
LOCAL_PREFIX = "HPF-P-WD-L"
LOCAL_CODES = tuple(f"{LOCAL_PREFIX}{n:02d}" for n in range(1, 100))
HUKOU_POLICY = "withdrawal.hukou_out.closes_account"
CAPS_POLICY = "withdrawal.local.caps"
ESCHEAT = "withdrawals.death_escheat"
ESCHEAT_PERMISSION = "settlement.operate"
HEIR_SOURCE = "withdrawal.heir"
VALUE_ADDED = "311"
OPEN_STATUSES = (MemberAccountStatus.NORMAL, MemberAccountStatus.SEALED)
S = HeirShare.State


def _money(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


def _day(raw: Any, label: str, problems: list[str]) -> str:
    text = str(raw or "").strip()
    try:
        date.fromisoformat(text)
    except ValueError:
        problems.append(f"{label}格式不正确（应为 YYYY-MM-DD）")
    return text


def _text(raw: Any, limit: int = 60) -> str:
    return str(raw or "").strip()[:limit]


def _balance_of(app: Application, problems: list[str]) -> int:
    acct = _account(app.member_id)
    if acct is None or acct.status not in OPEN_STATUSES:
        problems.append("职工没有可提取的个人账户")
        return 0
    sub = SubAccount.objects.get(pk=acct.pk)
    return int(sub.balance_current + sub.balance_carried)


def _available_check(app: Application, amount: Any, problems: list[str]) -> None:
    acct = _account(app.member_id)
    if acct is None or acct.status not in OPEN_STATUSES:
        problems.append("职工没有可提取的个人账户")
    elif _money(amount):
        available = SubAccount.objects.get(pk=acct.pk).available
        if amount > available:
            problems.append(f"提取金额 {format_fen(amount)} 元超过可用余额 {format_fen(available)} 元（已扣除冻结和预留）")


def _closing_rows(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [("受理时账户余额", f"{format_fen(int(payload.get('balance') or 0))} 元（另计利息至支付前一日）")]


# ---------------------------------------------------------------- 04 完全丧失劳动能力并终止劳动关系 (closing)


def validate_disability(payload: dict[str, Any], app: Application) -> tuple[dict[str, Any], list[str]]:
    problems: list[str] = []
    conclusion = _text(payload.get("appraisal_no"), 40)
    if not conclusion:
        problems.append("请填写劳动能力鉴定结论书编号")
    appraised = _day(payload.get("appraisal_date"), "鉴定日期", problems)
    if not isinstance(payload.get("fully_disabled"), bool):
        problems.append("请确认鉴定结论是否为完全丧失劳动能力")
    terminated = _day(payload.get("termination_date"), "终止劳动关系日期", problems)
    balance = _balance_of(app, problems)
    clean = {"appraisal_no": conclusion, "appraisal_date": appraised, "fully_disabled": payload.get("fully_disabled"),
             "termination_date": terminated, "balance": balance}
    return clean, problems


def disability_inputs(app: Application) -> dict[str, Any]:
    p, on = app.payload, _on(app)
    try:
        ended = date.fromisoformat(str(p.get("termination_date"))) <= on
    except ValueError:
        ended = False
    return {**common_inputs(app), "fully_disabled": p.get("fully_disabled") is True and bool(p.get("appraisal_no")),
            "terminated": ended}


def disability_rows(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [("劳动能力鉴定结论书", str(payload.get("appraisal_no") or "—")),
            ("鉴定日期", str(payload.get("appraisal_date") or "—")),
            ("完全丧失劳动能力", "是" if payload.get("fully_disabled") else "否"),
            ("终止劳动关系日期", str(payload.get("termination_date") or "—")), *_closing_rows(payload)]


# ---------------------------------------------------------------- 05 户口迁出或出境定居 (closing)

EMIGRATION_KINDS = {"abroad": "出境定居", "hukou_out": "户口迁出本市"}


def validate_emigration(payload: dict[str, Any], app: Application) -> tuple[dict[str, Any], list[str]]:
    problems: list[str] = []
    kind = payload.get("kind")
    if kind not in EMIGRATION_KINDS:
        problems.append("请选择提取情形（出境定居或户口迁出本市）")
    proof = _text(payload.get("proof_no"), 40)
    if not proof:
        problems.append("请填写出境定居证明或户籍注销（迁出）证明的编号")
    moved = _day(payload.get("moved_date"), "出境定居或户口迁出日期", problems)
    balance = _balance_of(app, problems)
    return {"kind": kind, "proof_no": proof, "moved_date": moved, "balance": balance}, problems


def emigration_inputs(app: Application) -> dict[str, Any]:
    p, on = app.payload, _on(app)
    return {**common_inputs(app), "abroad": p.get("kind") == "abroad", "proven": bool(p.get("proof_no")),
            "hukou_out_closes": bool(policy_value(HUKOU_POLICY, on=on, center=app.center_id))}


def emigration_rows(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [("提取情形", EMIGRATION_KINDS.get(payload.get("kind") or "", "—")),
            ("证明编号", str(payload.get("proof_no") or "—")),
            ("出境定居或迁出日期", str(payload.get("moved_date") or "—")), *_closing_rows(payload)]


# ---------------------------------------------------------------- 08 死亡或宣告死亡 (closing, by share)

DEATH_PROOFS = {"certificate": "死亡证明", "judgment": "宣告死亡判决书"}
HEIR_PROOFS = {"notary": "继承公证书", "judgment": "法院判决书或调解书"}
NO_HEIR_PROOFS = {"judgment": "人民法院认定财产无人继承的判决", "civil_affairs": "民政部门出具的无继承人证明"}


def _fraction(raw: Any) -> Fraction | None:
    try:
        f = Fraction(str(raw).strip())
    except (ValueError, ZeroDivisionError):
        return None
    return f if 0 < f <= 1 else None


def allocate(total: int, shares: list[Fraction]) -> list[int]:
    """`total` fen split by `shares` (summing to 1) by largest remainder: each gets the floor of its exact part,
    the fen left over go one each to the largest remainders (the earlier payee among equals); the sum is exact."""
    exact = [total * s for s in shares]
    out = [int(e) for e in exact]  # floor: total and shares are not negative
    left = total - sum(out)
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - out[i]), i))
    for i in order[:left]:
        out[i] += 1
    return out


def _clear(purpose: str, value: Any) -> str:
    """A heir's ID number or account as typed, or as stored in the payload (SM4-encrypted), in clear."""
    text = str(value or "")
    return (decrypt_value(purpose, text) or "") if is_encrypted(text) else text


def _sealed(heir: dict[str, Any]) -> dict[str, Any]:
    """What the application's payload keeps of a heir: the ID number and the account SM4-encrypted (never in
    clear in the payload, its audit rows or any output), beside their masked forms for the screens."""
    no, card = heir["id_number"], heir["bank_card"]
    return {**heir, "id_number": encrypt_value("id_number", no) if no else "",
            "id_masked": mask_id_number(no) if no else "", "bank_card": encrypt_value("bank_card", card) if card else "",
            "last4": card[-4:]}


def _heir(n: int, h: Any, problems: list[str]) -> dict[str, Any]:
    """One 继承人 / 受遗赠人 of the payload, checked; its problems named by its row."""
    h = h if isinstance(h, dict) else {}
    row = f"第 {n} 位继承人或受遗赠人"
    role = h.get("role")
    if role not in HeirShare.Role.values:
        problems.append(f"{row}：请选择身份（继承人或受遗赠人）")
    name = _text(h.get("name"))
    if not name:
        problems.append(f"{row}：请填写姓名")
    try:
        id_number = validate_resident_id(_clear("id_number", h.get("id_number")), field="id_number").number
    except DomainError as exc:
        problems.append(f"{row}：{exc.message}")
        id_number = ""
    account = _clear("bank_card", h.get("bank_card")).replace(" ", "")
    if not account.isdigit() or not 12 <= len(account) <= 30:
        problems.append(f"{row}：收款账号应为 12 至 30 位数字")
        account = ""
    bank = _text(h.get("bank_name"))
    if not bank:
        problems.append(f"{row}：请填写开户银行")
    share = _fraction(h.get("share"))
    if share is None:
        problems.append(f"{row}：继承份额应为大于 0、不超过 1 的分数（如 1/3）")
    return {"role": role, "name": name, "id_number": id_number, "bank_card": account, "bank_name": bank,
            "share": str(share) if share is not None else ""}


def validate_death(payload: dict[str, Any], app: Application) -> tuple[dict[str, Any], list[str]]:
    problems: list[str] = []
    death_proof = payload.get("death_proof")
    if death_proof not in DEATH_PROOFS:
        problems.append("请选择死亡证明材料（死亡证明或宣告死亡判决书）")
    died = _day(payload.get("death_date"), "死亡（宣告死亡）日期", problems)
    no_heir = payload.get("no_heir") is True
    heirs_raw = payload.get("heirs")
    heirs: list[dict[str, Any]] = []
    proof = payload.get("heir_proof")
    if no_heir:
        if heirs_raw:
            problems.append("已确认无继承人和受遗赠人的，不能再填写继承人")
        if proof not in NO_HEIR_PROOFS:
            problems.append("请选择无继承人、受遗赠人的证明（法院判决或民政部门证明）")
    else:
        if proof not in HEIR_PROOFS:
            problems.append("请选择继承权或受遗赠权证明（继承公证书或法院判决书、调解书）")
        if not isinstance(heirs_raw, list) or not heirs_raw:
            problems.append("请填写继承人或受遗赠人（至少一人），或确认无继承人和受遗赠人")
            heirs_raw = []
        heirs = [_heir(n, h, problems) for n, h in enumerate(heirs_raw, start=1)]
        seen = [h["bank_card"] for h in heirs if h["bank_card"]]
        if len(set(seen)) != len(seen):
            problems.append("各继承人、受遗赠人的收款账号不能重复")
        total = sum((Fraction(h["share"]) for h in heirs if h["share"]), Fraction(0))
        if heirs and all(h["share"] for h in heirs) and total != 1:
            problems.append(f"各继承人、受遗赠人的份额合计应为 1（现为 {total}）")
    balance = _balance_of(app, problems)
    clean = {"death_proof": death_proof, "death_date": died, "heir_proof": proof, "no_heir": no_heir,
             "heirs": [_sealed(h) for h in heirs], "balance": balance}
    return clean, problems


def death_inputs(app: Application) -> dict[str, Any]:
    p, on = app.payload, _on(app)
    cfg = reason_config(app.item_code, on)
    heirs = p.get("heirs") or []
    roles = {h.get("role") for h in heirs}
    base = common_inputs(app)
    return {
        **{k: base[k] for k in RISK_INPUTS if k in base},  # the inline risk checks' inputs (risk.py)
        "status_allowed": base.get("status_allowed", False), "frozen_any": base.get("frozen_any", False),
        "balance": base.get("balance", 0),
        "death_proven": p.get("death_proof") in DEATH_PROOFS and bool(p.get("death_date")),
        "heirs_proven": (p.get("heir_proof") in NO_HEIR_PROOFS) if p.get("no_heir") else (
            p.get("heir_proof") in HEIR_PROOFS and bool(heirs)),
        "applicants_allowed": roles <= set(cfg.applicants),
        "no_heir": bool(p.get("no_heir")),
    }


def death_rows(payload: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [("死亡证明", DEATH_PROOFS.get(payload.get("death_proof") or "", "—")),
            ("死亡（宣告死亡）日期", str(payload.get("death_date") or "—"))]
    if payload.get("no_heir"):
        rows.append(("继承情况", f"无继承人、受遗赠人（{NO_HEIR_PROOFS.get(payload.get('heir_proof') or '', '—')}），"
                                 "余额及利息经复核转入增值收益"))
    else:
        rows.append(("继承权证明", HEIR_PROOFS.get(payload.get("heir_proof") or "", "—")))
        for n, h in enumerate(payload.get("heirs") or [], start=1):
            name = str(h.get("name") or "")
            rows.append((f"{HeirShare.Role(h['role']).label if h.get('role') in HeirShare.Role.values else '—'} {n}",
                         f"{name[:1]}{'*' * max(len(name) - 1, 1)}，{h.get('id_masked') or '—'}，"
                         f"份额 {h.get('share')}，{h.get('bank_name')} **** {h.get('last4') or ''}"))
    return [*rows, *_closing_rows(payload)]


# ---------------------------------------------------------------- 08: execute (heirs by share, or 增值收益)


def _locked_account(app: Application) -> MemberAccount:
    acct = (MemberAccount.objects.select_for_update().select_related("center")
            .filter(member_id=app.member_id or 0).order_by("-opened_date", "-pk").first())
    if acct is None:
        raise DomainError(ErrorCode.ACCOUNT_CLOSED, "职工没有个人账户", field="member")
    return acct


def _hold_whole(pay: Payout, acct: MemberAccount, *, actor: Actor, business_date: date) -> int:
    """The approval's hold of the whole balance (placed again after a failed attempt released it)."""
    member_account_next_status(account=acct, action="close_by_withdrawal")  # refused under any freeze
    want = payout.closing_amount(acct)
    member_account_check_debit(account=acct, amount=want)
    if pay.held == 0:
        payout._hold(pay, want, actor=actor, business_date=business_date)
    elif pay.held != want:
        raise DomainError(ErrorCode.WITHDRAWAL_ACCOUNT_CHANGED, account_no=acct.account_no, field="amount")
    return want


def _post_interest(app: Application, acct: MemberAccount, *, actor: Actor, business_date: date,
                   ) -> tuple[int, JournalEntry | None]:
    interest = payout.interest_to_date(account=acct, on=business_date)
    if interest <= 0:
        return 0, None
    entry = entry_post(
        center=acct.center, business_date=business_date, source="withdrawal.interest", actor=actor,
        lines=[Line(payout.INTEREST_PAYABLE, debit=interest), Line(MEMBER_CONTROL, credit=interest)],
        sub_rows=[SubRow(acct.pk, amount_current=0, amount_carried=interest, reference=app.number)],
        biz_type=BizType.INTEREST, description=f"销户提取结息 {acct.account_no} {app.number}（{payout._interest_span(business_date)}）")
    return interest, entry


def execute_death(app: Application, actor: Actor, business_date: date) -> dict[str, Any]:
    pay = Payout.objects.select_for_update().select_related("application").get(application=app)
    acct = _locked_account(app)
    if app.payload.get("no_heir"):
        balance = _hold_whole(pay, acct, actor=actor, business_date=business_date)
        cmd = command_submit(name=ESCHEAT, actor=actor, center=acct.center, business_date=business_date,
                             params={"application": app.number, "account_no": acct.account_no, "balance": balance})
        pay.message = "待复核：无继承人、受遗赠人，余额转入增值收益"
        pay.save(update_fields=["message", "updated_at"])
        return {"pending": True, "command": cmd.pk, "balance": balance}
    bank = fund_account_for_payments(app.center_id)
    if bank is None:
        raise DomainError(ErrorCode.WITHDRAWAL_NO_FUND_ACCOUNT, field="bank_account")
    settlement.bank_account_lock(bank)  # the 专户 before the interest's posting (settlement's lock order)
    shares = list(HeirShare.objects.select_for_update().filter(payout=pay).order_by("seq"))
    if any(s.state == S.PAID for s in shares):
        # a later attempt after some shares were paid: only the failed shares, at their allocated amounts
        again = [s for s in shares if s.state == S.FAILED]
        member_account_check_debit(account=acct, amount=sum(s.amount for s in again))
    else:
        want = _hold_whole(pay, acct, actor=actor, business_date=business_date)
        interest, entry = _post_interest(app, acct, actor=actor, business_date=business_date)
        heirs = app.payload["heirs"]
        amounts = allocate(want + interest, [Fraction(h["share"]) for h in heirs])
        HeirShare.objects.filter(payout=pay).delete()  # a fresh allocation: none of the earlier shares was paid
        again = [HeirShare.objects.create(
            payout=pay, seq=n, role=h["role"], name=h["name"], id_number=_clear("id_number", h["id_number"]),
            account_no=_clear("bank_card", h["bank_card"]), last4=_clear("bank_card", h["bank_card"])[-4:],
            bank_name=h["bank_name"], share_num=Fraction(h["share"]).numerator,
            share_den=Fraction(h["share"]).denominator, amount=amounts[n - 1])
            for n, h in enumerate(heirs, start=1)]
        subaccount_set_reserves(sub_account=SubAccount(pk=acct.pk), hold_delta=-pay.held)
        pay.held, pay.amount, pay.interest, pay.interest_entry = 0, want + interest, interest, entry
    sent = []
    for share in again:
        payee_register(center=acct.center, account_no=share.account_no, account_name=share.name,
                       kind=Payee.Kind.HEIR, actor=actor, source=f"withdrawals.heir:{app.number}",
                       bank_name=share.bank_name, approved_by=_reviewer(app))
        ins = settlement.payment_submit(
            center=acct.center, bank_account=bank, amount=share.amount, payee_account=share.account_no,
            payee_name=share.name, biz_type=SettlementBizType.CLOSING_WITHDRAWAL, book_account=MEMBER_CONTROL,
            summary=f"死亡提取 {app.number} 第 {share.seq} 份", actor=actor, business_date=business_date,
            sub_account_id=acct.pk, source=HEIR_SOURCE, source_ref=f"{app.number}-{share.seq}")
        share.instruction_seq, share.state = ins.seq, S.SENT
        share.save(update_fields=["instruction_seq", "state", "updated_at"])
        sent.append((ins, share))
        audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_PAYOUT_SEND, obj=pay, center=pay.center_id,
                  business_date=business_date, after={"application": app.number, "share": share.seq,
                                                      "amount": share.amount, "seq": ins.seq, "card": share.masked})
    pay.state, pay.message = Payout.State.SENT, ""
    pay.save()
    for ins, _share in sent:
        if ins.state == Instruction.State.CREATED:
            pk = ins.pk
            transaction.on_commit(lambda pk=pk: payout._send(pk, actor, business_date), robust=True)  # type: ignore[misc]
    return {"pending": True, "instructions": [i.seq for i, _ in sent], "amount": pay.amount,
            "interest": pay.interest, "shares": [s.amount for _, s in sent]}


def _reviewer(app: Application) -> str:
    d = (ReviewDecision.objects.filter(application=app, decision=ReviewDecision.Decision.PASS)
         .select_related("reviewer").order_by("-pk").first())
    return actor_label(d.reviewer) if d is not None else ""


def _share_of(ins: Instruction) -> HeirShare:
    number, _, seq = settlement.source_ref_base(ins.source_ref).rpartition("-")
    return HeirShare.objects.select_for_update(of=("self",)).select_related(
        "payout__application", "payout__account").get(
        payout__application__center_id=ins.center_id, payout__application__number=number, seq=int(seq))


def _lock_share_answer(ins: Instruction) -> None:
    """settlement.LOCK_HOOKS: a share's application, payout and account in the lock order (payout.lock_rows)."""
    number = settlement.source_ref_base(ins.source_ref).rpartition("-")[0]
    payout.lock_rows(center_id=ins.center_id, number=number, account_id=ins.sub_account_id)


def _settle(pay: Payout, *, actor: Actor, business_date: date) -> None:
    """After a share's answer: every share paid → the account closes, the application is 办结; none still at the
    bank and some failed → 办理失败 (the clerk executes again: only the failed shares are paid)."""
    states = list(HeirShare.objects.filter(payout=pay).values_list("state", flat=True))
    if states and all(s == S.PAID for s in states):
        member_account_close_by_withdrawal(account=pay.account, actor=actor, business_date=business_date)
        pay.state, pay.paid_on, pay.message = Payout.State.PAID, business_date, "各份额均已支付"
        pay.save(update_fields=["state", "paid_on", "message", "updated_at"])
        application_execution_done(application=pay.application, ok=True, actor=actor, business_date=business_date,
                                   result={"paid": pay.amount, "shares": len(states), "closed": True},
                                   reason="各继承人、受遗赠人份额均已支付，个人账户销户")
    elif S.SENT not in states and S.FAILED in states:
        if S.PAID not in states and pay.interest_entry_id and pay.interest:
            entry = pay.interest_entry
            assert entry is not None
            entry_post(
                center=pay.account.center, business_date=business_date, source="withdrawal.interest", actor=actor,
                lines=[Line(MEMBER_CONTROL, debit=pay.interest), Line(payout.INTEREST_PAYABLE, credit=pay.interest)],
                sub_rows=[SubRow(pay.account_id, amount_current=0, amount_carried=-pay.interest,
                                 value_date=entry.value_date, reference=pay.application.number)],
                biz_type=BizType.INTEREST, reversal_of=entry,
                description=f"死亡提取支付失败，冲回结息 {pay.application.number}")
            pay.interest, pay.interest_entry = 0, None
        pay.state, pay.message = Payout.State.FAILED, "部分份额银行支付失败"
        pay.save(update_fields=["state", "interest", "interest_entry", "message", "updated_at"])
        application_execution_done(application=pay.application, ok=False, actor=actor, business_date=business_date,
                                   result={"failed": states.count(S.FAILED)},
                                   reason="继承人或受遗赠人的份额银行支付失败，请核对账户后重新办理")


def on_share_paid(ins: Instruction, answer: dict[str, Any], actor: Actor, business_date: date) -> Any:
    share = _share_of(ins)
    pay = share.payout
    sub = subaccount_set_reserves(sub_account=SubAccount(pk=ins.sub_account_id), hold_delta=-ins.amount)
    entry = entry_post(
        center=ins.center, business_date=business_date, source="settlement", actor=actor,
        lines=[Line(MEMBER_CONTROL, debit=ins.amount), Line(ins.bank_account.gl_account.code, credit=ins.amount,
                                                            bank_ref=ins.seq)],
        sub_rows=[member_debit_split(sub_account=sub, amount=ins.amount, on=business_date, reference=ins.seq)],
        biz_type=BizType.CLOSING_WITHDRAWAL, settles_hold=True,
        description=f"销户提取 付款 {pay.application.number} 第 {share.seq} 份 {ins.seq}")
    bank_seq = str(answer.get("bank_seq", "") or ins.bank_seq or "")
    share.state, share.bank_seq, share.paid_on = S.PAID, bank_seq[:40], business_date
    share.save(update_fields=["state", "bank_seq", "paid_on", "updated_at"])
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_PAYOUT_PAID, obj=pay, center=pay.center_id,
              business_date=business_date, after={"application": pay.application.number, "share": share.seq,
                                                  "amount": ins.amount, "seq": ins.seq, "bank_seq": bank_seq})
    _settle(pay, actor=actor, business_date=business_date)
    return entry


def on_share_failed(ins: Instruction, actor: Actor, business_date: date) -> None:
    share = _share_of(ins)
    share.state = S.FAILED
    share.save(update_fields=["state", "updated_at"])
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_PAYOUT_FAILED, obj=share.payout, center=share.payout.center_id,
              business_date=business_date, after={"application": share.payout.application.number,
                                                  "share": share.seq, "seq": ins.seq})
    _settle(share.payout, actor=actor, business_date=business_date)


def share_checked(*, center: Any, source_ref: str, payees: list[tuple[str, str, int]]) -> bool:
    """Four eyes: a share's payment counts as checked when its application was passed by a reviewer and it pays
    exactly the share's amount to the account and name recorded for it."""
    number, _, seq = settlement.source_ref_base(source_ref).rpartition("-")
    app = Application.objects.filter(center=center, number=number).first()
    if app is None or app.state != State.EXECUTING or len(payees) != 1 or not seq.isdigit():
        return False
    if not ReviewDecision.objects.filter(application=app, decision=ReviewDecision.Decision.PASS).exists():
        return False
    share = HeirShare.objects.filter(payout__application=app, seq=int(seq)).first()
    return share is not None and payees[0] == (share.account_no, share.name, share.amount)


# ---------------------------------------------------------------- 08 with no heir: 增值收益 under maker-checker


def _escheat_app(number: str) -> tuple[Application, Payout]:
    app = Application.objects.filter(number=number).first()
    pay = Payout.objects.select_for_update().filter(application=app).first() if app is not None else None
    if app is None or pay is None or app.item_code != DEATH or not app.payload.get("no_heir"):
        raise DomainError(ErrorCode.WITHDRAWAL_ESCHEAT_INVALID, number=number or "—", detail="不是无继承人的死亡提取办件",
                          field="application")
    if app.state != State.EXECUTING or pay.state != Payout.State.HELD:
        raise DomainError(ErrorCode.WITHDRAWAL_ESCHEAT_INVALID, number=number, detail=f"办件状态为{app.get_state_display()}",
                          field="application")
    return app, pay


def _escheat_validate(params: dict[str, Any], actor: Any, center: Any, business_date: date) -> dict[str, Any]:
    _escheat_app(str(params.get("application") or ""))
    return params


def _escheat_apply(params: dict[str, Any], actor: Actor, business_date: date) -> dict[str, Any]:
    """The checker approved: interest to date (Dr 211 / Cr 201), then the whole balance Dr 201 / Cr 311 增值收益,
    the hold settled, the account closed (05), the application 办结."""
    app, pay = _escheat_app(str(params["application"]))
    acct = _locked_account(app)
    member_account_next_status(account=acct, action="close_by_withdrawal")
    balance = payout.closing_amount(acct)
    if balance != pay.held:
        raise DomainError(ErrorCode.WITHDRAWAL_ACCOUNT_CHANGED, account_no=acct.account_no, field="amount")
    interest, ientry = _post_interest(app, acct, actor=actor, business_date=business_date)
    total = balance + interest
    sub = subaccount_set_reserves(sub_account=SubAccount(pk=acct.pk), hold_delta=-pay.held)
    entry = entry_post(
        center=acct.center, business_date=business_date, source="withdrawal.escheat", actor=actor,
        lines=[Line(MEMBER_CONTROL, debit=total), Line(VALUE_ADDED, credit=total)],
        sub_rows=[member_debit_split(sub_account=sub, amount=total, on=business_date, reference=app.number)],
        biz_type=BizType.CLOSING_WITHDRAWAL, settles_hold=True,
        description=f"死亡提取无继承人、受遗赠人，余额转入增值收益 {acct.account_no} {app.number}")
    member_account_close_by_withdrawal(account=acct, actor=actor, business_date=business_date)
    cmd = applying()
    pay.held, pay.amount, pay.interest, pay.interest_entry = 0, total, interest, ientry
    pay.state, pay.paid_on, pay.message = Payout.State.PAID, business_date, "已转入增值收益"
    pay.save()
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_PAYOUT_ESCHEAT, obj=pay, center=pay.center_id,
              business_date=business_date,
              after={"application": app.number, "amount": total, "interest": interest, "voucher": entry.voucher_no,
                     "maker": actor_label(cmd.maker) if cmd is not None else ""})
    application_execution_done(application=app, ok=True, actor=actor, business_date=business_date,
                               result={"value_added": total, "interest": interest, "voucher": entry.voucher_no,
                                       "closed": True},
                               reason="无继承人、受遗赠人，余额及利息转入增值收益")
    return {"application": app.number, "amount": total, "voucher": entry.voucher_no}


def _escheat_rejected(command: Any, actor: Any, business_date: date) -> None:
    """The checker refused: the application is 办理失败 (the hold stays until it is executed again or 终止)."""
    app = Application.objects.filter(number=str(command.params.get("application") or "")).first()
    if app is not None:
        application_execution_done(application=app, ok=False, actor=actor, business_date=business_date,
                                   result={"command": command.pk}, reason="转入增值收益未通过复核")


def _escheat_describe(params: dict[str, Any]) -> str:
    return (f"死亡提取 {params.get('application')}：无继承人、受遗赠人，个人账户 {params.get('account_no')} 余额 "
            f"{format_fen(int(params.get('balance') or 0))} 元及利息转入增值收益")


def _escheat_render(command: Any, viewer: Any) -> Summary:
    p = command.params
    return Summary(headline=_escheat_describe(p), facts=[
        Fact("办件编号", str(p.get("application", ""))), Fact("个人账号", str(p.get("account_no", ""))),
        Fact("账户余额", f"{format_fen(int(p.get('balance') or 0))} 元"),
        Fact("记账", "借 201 住房公积金 / 贷 311 增值收益（另计利息至复核通过前一日）")])


# ---------------------------------------------------------------- 09 大病医疗

PATIENTS = {"self": "本人", "spouse": "配偶", "parent": "父母", "child": "子女"}


def validate_medical(payload: dict[str, Any], app: Application) -> tuple[dict[str, Any], list[str]]:
    problems: list[str] = []
    amount = payload.get("amount")
    if not _money(amount):
        problems.append("提取金额应为大于零的金额")
    patient = payload.get("patient")
    if patient not in PATIENTS:
        problems.append("请选择患者与职工的关系（本人、配偶、父母、子女）")
    if not _text(payload.get("diagnosis"), 100):
        problems.append("请填写诊断的疾病名称")
    if not _text(payload.get("hospital"), 100):
        problems.append("请填写就诊医院")
    invoices, seen = [], set()
    raw = payload.get("invoices")
    if not isinstance(raw, list) or not raw:
        problems.append("请填写医疗费用票据（至少一张）")
        raw = []
    for n, inv in enumerate(raw, start=1):
        inv = inv if isinstance(inv, dict) else {}
        no, paid = _text(inv.get("no"), 40), inv.get("own_cost")
        if not no:
            problems.append(f"第 {n} 张票据：请填写票据号码")
        elif no in seen:
            problems.append(f"第 {n} 张票据：票据号码 {no} 重复")
        seen.add(no)
        if not _money(paid):
            problems.append(f"第 {n} 张票据：个人负担金额应为大于零的金额")
        invoices.append({"no": no, "own_cost": paid})
    _available_check(app, amount, problems)
    clean = {"amount": amount, "patient": patient, "diagnosis": _text(payload.get("diagnosis"), 100),
             "hospital": _text(payload.get("hospital"), 100), "invoices": invoices}
    return clean, problems


def medical_inputs(app: Application) -> dict[str, Any]:
    p = app.payload
    cost = sum(int(i.get("own_cost") or 0) for i in p.get("invoices") or [])
    return {**common_inputs(app), "amount": int(p.get("amount") or 0), "own_cost": cost}


def medical_rows(payload: dict[str, Any]) -> list[tuple[str, str]]:
    cost = sum(int(i.get("own_cost") or 0) for i in payload.get("invoices") or [])
    return [("提取金额", f"{format_fen(int(payload.get('amount') or 0))} 元"),
            ("患者", PATIENTS.get(payload.get("patient") or "", "—")),
            ("疾病", str(payload.get("diagnosis") or "—")), ("医院", str(payload.get("hospital") or "—")),
            ("票据", f"{len(payload.get('invoices') or [])} 张，个人负担合计 {format_fen(cost)} 元")]


# ---------------------------------------------------------------- 99 其他 and the local reasons (by configuration)

RELATIONS = {"parent": "父母", "child": "子女"}


def local_cap(app: Application, on: date, cfg: ReasonConfig, available: int) -> int:
    """The most one application of the reason may take: the available balance, or for the amount rule 本地限额 the
    cap of the policy value `withdrawal.local.caps` for the item (0 when the center has set none)."""
    if cfg.amount_rule != ReasonConfig.AmountRule.CAP:
        return available
    caps = policy_value(CAPS_POLICY, on=on, center=app.center_id) or {}
    return int(caps.get(app.item_code, 0)) if isinstance(caps, dict) else 0


def validate_local(payload: dict[str, Any], app: Application) -> tuple[dict[str, Any], list[str]]:
    problems: list[str] = []
    amount = payload.get("amount")
    if not _money(amount):
        problems.append("提取金额应为大于零的金额")
    purpose = _text(payload.get("purpose"), 200)
    if not purpose:
        problems.append("请填写提取用途")
    relative = payload.get("relative")
    clean_rel: dict[str, Any] | None = None
    if relative is not None:
        relative = relative if isinstance(relative, dict) else {}
        if relative.get("relation") not in RELATIONS:
            problems.append("请选择与职工的关系（父母或子女）")
        if not _text(relative.get("name")):
            problems.append("请填写父母或子女的姓名")
        try:
            rid = validate_resident_id(str(relative.get("id_number") or ""), field="id_number").number
        except DomainError as exc:
            problems.append(f"父母或子女的{exc.message}")
            rid = ""
        clean_rel = {"relation": relative.get("relation"), "name": _text(relative.get("name")), "id_number": rid}
    _available_check(app, amount, problems)
    return {"amount": amount, "purpose": purpose, "proof_no": _text(payload.get("proof_no"), 40),
            "relative": clean_rel}, problems


def local_inputs(app: Application) -> dict[str, Any]:
    p, on = app.payload, _on(app)
    base = common_inputs(app)
    cfg = reason_config(app.item_code, on)
    return {**base, "amount": int(p.get("amount") or 0),
            "cap": local_cap(app, on, cfg, int(base.get("available", 0))),
            "has_relative": bool(p.get("relative")), "has_proof_no": bool(p.get("proof_no"))}


def local_rows(payload: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [("提取金额", f"{format_fen(int(payload.get('amount') or 0))} 元"),
            ("提取用途", str(payload.get("purpose") or "—")), ("证明文件编号", str(payload.get("proof_no") or "—"))]
    rel = payload.get("relative")
    if rel:
        name = str(rel.get("name") or "")
        rows.append(("资金用于", f"{RELATIONS.get(rel.get('relation') or '', '—')} {name[:1]}{'*' * max(len(name) - 1, 1)}"))
    return rows


def _closing(item: str, validate: Any, inputs: Any, rows: Any) -> Handler:
    return Handler(item_code=item, validate=validate, rule_inputs=inputs, execute=payout.execute,
                   amount=lambda p: p.get("balance"), describe=rows, transition=payout.on_transition)


HANDLERS = (
    _closing(DISABILITY, validate_disability, disability_inputs, disability_rows),
    _closing(EMIGRATION, validate_emigration, emigration_inputs, emigration_rows),
    Handler(item_code=DEATH, validate=validate_death, rule_inputs=death_inputs, execute=execute_death,
            amount=lambda p: p.get("balance"), describe=death_rows, transition=payout.on_transition),
    Handler(item_code=MEDICAL, validate=validate_medical, rule_inputs=medical_inputs, execute=payout.execute,
            amount=lambda p: p.get("amount"), describe=medical_rows, transition=payout.on_transition),
    *(Handler(item_code=code, validate=validate_local, rule_inputs=local_inputs, execute=payout.execute,
              amount=lambda p: p.get("amount"), describe=local_rows, transition=payout.on_transition)
      for code in (OTHER, *LOCAL_CODES)),
)


def register_closing() -> None:
    for h in HANDLERS:
        register_handler(h)
    settlement.SUCCESS_HOOKS[HEIR_SOURCE] = on_share_paid
    settlement.FAILURE_HOOKS[HEIR_SOURCE] = on_share_failed
    settlement.LOCK_HOOKS[HEIR_SOURCE] = _lock_share_answer
    register_application_source(HEIR_SOURCE, share_checked)
    register(ESCHEAT, apply=_escheat_apply, permission=ESCHEAT_PERMISSION, describe=_escheat_describe,
             validate=_escheat_validate, amount=lambda p: p.get("balance"), label="死亡提取余额转入增值收益",
             on_reject=_escheat_rejected)
    register_renderer(ESCHEAT, _escheat_render)

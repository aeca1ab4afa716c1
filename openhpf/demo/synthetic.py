"""A synthetic center: a realistic legacy extract in the cut-over format (docs/cutover-format.md), deterministic
for a seed and streamed to disk, loaded through the one cut-over import (`hpf generate`, `hpf demo`).

Resident IDs carry real county codes (python-stdnum's cn/loc database) and GB 11643 check digits, credit codes
GB 32100 check digits; wages are log-normal per industry, clamped to the policy base cap and floor; balances
follow each account's contribution history (paydays since opening × monthly amount, split into 上年结转 and
当年归集 at the interest year's start, less earlier withdrawals) and the 积数 to the day before cut-over
follows the same history, so the figures reconcile."""

from __future__ import annotations

import bisect
import csv
import functools
import math
import multiprocessing
import os
import random
import shutil
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple

from openhpf.accounts.calculations import monthly_amounts
from openhpf.accounts.cutover import ACCOUNT_FILE, EMPLOYER_FILE, FILE_COLUMNS, MEMBER_FILE, cutover_import
from openhpf.core.actors import Actor
from openhpf.core.calendar import interest_year
from openhpf.core.ids import county_valid, credit_code_check_digit, resident_id_check_digit
from openhpf.core.models import Center
from openhpf.core.policy import policy_value
from openhpf.core.services import center_create
from openhpf.security.bulk import die_with_parent

DEFAULT_CENTER_CODE = "330100"
DEFAULT_CENTER_NAME = "演示住房公积金管理中心"

SURNAMES: list[tuple[str, float]] = [
    ("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 4.5), ("杨", 3.1), ("黄", 2.2), ("赵", 2.1),
    ("吴", 2.0), ("周", 1.9), ("徐", 1.3), ("孙", 1.3), ("马", 1.2), ("朱", 1.2), ("胡", 1.1), ("郭", 1.1),
    ("何", 1.0), ("林", 1.0), ("高", 1.0), ("罗", 0.9), ("郑", 0.8), ("梁", 0.7), ("谢", 0.6), ("宋", 0.6),
    ("唐", 0.6), ("许", 0.6), ("韩", 0.5), ("冯", 0.5), ("邓", 0.5), ("曹", 0.5), ("彭", 0.5), ("曾", 0.5),
    ("肖", 0.5), ("田", 0.5), ("董", 0.4), ("袁", 0.4), ("潘", 0.4), ("于", 0.4), ("蒋", 0.4), ("蔡", 0.4),
    ("余", 0.4), ("杜", 0.4), ("叶", 0.4), ("程", 0.4), ("苏", 0.3), ("魏", 0.3), ("吕", 0.3), ("丁", 0.3),
    ("任", 0.3), ("沈", 0.3), ("姚", 0.3), ("卢", 0.3), ("姜", 0.3), ("崔", 0.3), ("钟", 0.3), ("谭", 0.3),
    ("陆", 0.3), ("汪", 0.3), ("范", 0.3), ("金", 0.3), ("石", 0.2), ("廖", 0.2), ("贾", 0.2), ("夏", 0.2),
    ("韦", 0.2), ("付", 0.2), ("方", 0.2), ("白", 0.2), ("邹", 0.2), ("孟", 0.2), ("熊", 0.2), ("秦", 0.2),
    ("邱", 0.2), ("江", 0.2), ("尹", 0.2), ("薛", 0.2), ("段", 0.2), ("雷", 0.2), ("侯", 0.2), ("龙", 0.2),
    ("史", 0.2), ("陶", 0.2), ("黎", 0.2), ("贺", 0.2), ("顾", 0.2), ("毛", 0.2), ("郝", 0.2), ("龚", 0.2),
    ("邵", 0.2), ("万", 0.2), ("钱", 0.2), ("严", 0.2), ("欧阳", 0.05), ("司马", 0.02),
]
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国志文博晨轩然睿泽昊海峰"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲桂英丹萍红玉兰琳雪婷慧颖洁佳倩莉月莹晶欣怡涵诗雨琪思嘉悦梦瑶"
NAME_WORDS = "恒达华信瑞丰宏远金鼎天成鸿运盛世永安新宇博通正泰中和汇丰东方星辰明珠亚太万象海纳顺发嘉禾"
NAME_CHARS = sorted(set(NAME_WORDS))  # each character once: a 字号 never doubles one (丰丰)
# industry → (median monthly wage in yuan, the tails of its employers' names). A tail names the trade once
# (网络科技有限公司, 餐饮管理有限公司): a name is 杭州 + a two-character 字号 + a tail, so the trade is never said twice.
INDUSTRY_PROFILE: dict[str, tuple[int, tuple[str, ...]]] = {
    "A": (4800, ("农业开发有限公司", "生态农业有限公司", "农业专业合作社")), "B": (7200, ("矿业有限公司", "建材矿业有限公司")),
    "C": (6800, ("机械制造有限公司", "实业有限公司", "电子有限公司", "精密机械有限公司")),
    "D": (9800, ("能源有限公司", "热电有限公司", "燃气有限公司")),
    "E": (7000, ("建筑工程有限公司", "建设集团有限公司")), "F": (6000, ("贸易有限公司", "商贸有限公司", "商行")),
    "G": (7400, ("物流有限公司", "运输有限公司")), "H": (4600, ("酒店有限公司", "餐饮管理有限公司")),
    "I": (15000, ("网络科技有限公司", "信息技术有限公司", "软件有限公司")),
    "J": (16000, ("小额贷款有限公司", "保险代理有限公司", "投资管理有限公司")),
    "K": (9000, ("置业有限公司", "房地产开发有限公司")),
    "L": (7600, ("企业管理咨询有限公司", "人力资源有限公司")), "M": (11000, ("研究院", "技术服务有限公司", "检测技术有限公司")),
    "N": (7000, ("环境工程有限公司", "园林绿化工程有限公司")), "O": (5000, ("家政服务有限公司", "物业服务有限公司")),
    "P": (9500, ("外国语学校", "职业技术学校", "教育科技有限公司")), "Q": (10500, ("医院", "门诊部", "医疗器械有限公司")),
    "R": (8000, ("文化传媒有限公司", "体育发展有限公司")), "S": (9800, ("街道办事处", "市场监督管理所", "城市管理服务中心")),
}
INDUSTRY_WEIGHTS = {"A": 1, "B": 0.5, "C": 20, "D": 1.5, "E": 8, "F": 14, "G": 5, "H": 5, "I": 9, "J": 3,
                    "K": 4, "L": 8, "M": 4, "N": 2, "O": 3, "P": 4, "Q": 3, "R": 1.5, "S": 3.5}
ECONOMIC_BY_INDUSTRY = {"S": ["110"], "P": ["120", "120", "171"], "Q": ["120", "120", "171"], "N": ["120", "140"]}
ECONOMIC_DEFAULT = ["160"] * 10 + ["171"] * 6 + ["170"] * 2 + ["140", "150", "190", "180"]
RATIOS_E4 = [(500, 25), (600, 5), (700, 8), (800, 15), (1000, 12), (1200, 35)]
SEAL_REASONS = ("与单位解除劳动关系", "单位转制", "离职待业")
FEMALE_SHARE = 0.48


@functools.cache
def _regions() -> tuple[list[str], list[str]]:
    """County-level codes from python-stdnum's cn/loc database: (Zhejiang ones, a spread of the whole country).

    Whether a code is valid depends on the birth year (codes are created and retired), so each number is
    checked through `_region_valid` for its year; the national list is every 20th county to keep that cache small."""
    from stdnum import numdb

    def walk(prefixes: Any, prefix: str = "") -> Any:
        for length, low, high, _props, children in prefixes:
            for v in range(int(low), int(high) + 1):
                code = prefix + str(v).zfill(length)
                if children:
                    yield from walk(children, code)
                else:
                    yield code

    codes = sorted({c for c in walk(numdb.get("cn/loc").prefixes) if len(c) == 6 and not c.endswith("00")})
    return [c for c in codes if c.startswith("33")], codes[::20]


@dataclass
class GenerateResult:
    directory: Path
    employers: int = 0
    members: int = 0
    accounts: int = 0
    sealed: int = 0
    frozen: int = 0
    total_balance: int = 0
    dirty_rows: list[tuple[str, int, str]] = field(default_factory=list)  # file, line, what
    seconds: float = 0.0  # writing the extract
    import_seconds: float = 0.0  # the cut-over import (when loaded)


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


@functools.cache
def _ratio(e4: int) -> str:
    return str(Decimal(e4) / 10000)


@functools.cache
def _ratio_exact(e4: int) -> Fraction:
    return Fraction(e4, 10000)


def generate_extract(
    *, out: Path | str, employers: int, members: int, seed: int, cutover_date: date, base_cap: int,
    base_floor: int, rounding: str = "fen", dirty: bool = False, encoding: str = "utf-8-sig",
    progress: Callable[[int], None] | None = None,
) -> GenerateResult:
    """Write 单位.csv, 个人.csv and 个人账户.csv to `out` (streamed; memory is O(employers))."""
    if employers < 1 or members < 0:
        raise ValueError("need at least one employer")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)  # noqa: S311 (deterministic test data, not security)
    res = GenerateResult(directory=out)
    zj = _regions()[0]
    headers = {f: [c.header for c in FILE_COLUMNS[f]] for f in (EMPLOYER_FILE, MEMBER_FILE, ACCOUNT_FILE)}
    hangzhou = [c for c in zj if c.startswith("3301")] or zj

    emp_info, size_cum, total_w = _write_employers(
        out / EMPLOYER_FILE, rng=rng, employers=employers, cutover_date=cutover_date, regions=hangzhou,
        header=headers[EMPLOYER_FILE], dirty=dirty, encoding=encoding, res=res)
    res.employers = employers
    _write_members(out, seed=seed, members=members, cutover_date=cutover_date, headers=headers, employers=employers, emp_info=emp_info, size_cum=size_cum, total_w=total_w,
                   base_cap=base_cap, base_floor=base_floor, rounding=rounding, dirty=dirty, encoding=encoding,
                   res=res, progress=progress)
    res.members = res.accounts = members
    return res


def _write_employers(path: Path, *, rng: random.Random, employers: int, cutover_date: date, regions: list[str],
                     header: list[str], dirty: bool, encoding: str, res: GenerateResult,
                     ) -> tuple[list[tuple[str, int, int, int, str]], list[float], float]:
    """单位.csv: employers of weighted industries and ratios, opened since 1995, each with a random size.
    Returns each employer's (legacy no, opened ordinal, payday, ratio e4, industry), the cumulative sizes and
    their total (members are drawn to employers by size)."""
    industries = list(INDUSTRY_WEIGHTS)
    ind_cum = list(_cumulate(INDUSTRY_WEIGHTS.values()))
    ratio_cum = list(_cumulate(w for _, w in RATIOS_E4))
    first_open = date(1995, 1, 1).toordinal()
    last_open = (cutover_date - timedelta(days=60)).toordinal()
    emp_info: list[tuple[str, int, int, int, str]] = []  # legacy no, opened ordinal, payday, ratio e4, industry
    size_cum: list[float] = []
    total_w = 0.0
    dirty_emp = {1: "credit", 3: "econ"} if dirty and employers > 4 else {}
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i in range(employers):
            ind = industries[bisect.bisect_right(ind_cum, rng.random() * ind_cum[-1])]
            econ = rng.choice(ECONOMIC_BY_INDUSTRY.get(ind, ECONOMIC_DEFAULT))
            region = rng.choice(regions)
            name = synthetic_employer_name(rng, industry=ind)
            org = _org_code(i)
            prefix = ("11" if econ in ("110", "120") else "91") + region + org
            credit = prefix + credit_code_check_digit(prefix)
            opened = date.fromordinal(rng.randint(first_open, last_open))
            payday = rng.randint(1, 28)
            er = RATIOS_E4[bisect.bisect_right(ratio_cum, rng.random() * ratio_cum[-1])][0]
            legacy = f"DW{i + 1:08d}"
            last_pay = _last_payday(cutover_date, payday)
            bad = dirty_emp.get(i)
            if bad == "credit":
                credit = prefix + ("0" if credit[-1] != "0" else "1")
                res.dirty_rows.append((EMPLOYER_FILE, i + 2, "USCC_CHECKSUM"))
            elif bad == "econ":
                econ = "999"
                res.dirty_rows.append((EMPLOYER_FILE, i + 2, "CODE_UNKNOWN"))
            w.writerow([legacy, name, credit, econ, ind, payday, _ratio(er), _ratio(er), "01",
                        f"{last_pay.year:04d}{last_pay.month:02d}" if last_pay and last_pay >= opened else "",
                        opened.isoformat(), "", f"{rng.choice(SURNAMES)[0]}经办", _phone(rng), f"杭州市{name[2:4]}路{rng.randint(1, 999)}号"])
            emp_info.append((legacy, opened.toordinal(), payday, er, ind))
            total_w += math.exp(rng.gauss(0, 1.4))
            size_cum.append(total_w)
    return emp_info, size_cum, total_w


def _year_deposits(ys: date, cutover_date: date) -> dict[int, list[tuple[int, int]]]:
    """Deposit dates of this interest year before cut-over, per payday, with days to the day before cut-over."""
    year_deposits: dict[int, list[tuple[int, int]]] = {}
    for p in range(1, 29):
        ds = []
        d = date(ys.year, ys.month, p)
        while d < cutover_date:
            ds.append((d.toordinal(), (cutover_date - d).days))
            d = _add_month(d)
        year_deposits[p] = ds
    return year_deposits


def _dirty_id(person: Person, kind: str, *, row: int, res: GenerateResult) -> str:
    """A deliberately wrong ID number for a dirty extract: a wrong check digit, or 2月30日 as the birth date."""
    id_number, birth, region, seq = person.id_number, person.birth, person.region, person.seq
    first17 = id_number[:17]
    if kind == "checksum":
        id_number = first17 + ("1" if id_number[-1] != "1" else "2")
        res.dirty_rows.append((MEMBER_FILE, row, "ID_CHECKSUM"))
    else:
        bad17 = f"{region}{birth.year:04d}0230{seq:03d}"
        id_number = bad17 + resident_id_check_digit(bad17)
        res.dirty_rows.append((MEMBER_FILE, row, "ID_BIRTH_DATE"))
    return id_number


def _dirty_account(kind: str, row_values: tuple[str, str, int, str], *, balance: int, prev_legacy: str, row: int,
                   res: GenerateResult) -> tuple[str, str, int, str]:
    """A deliberately wrong account row for a dirty extract: an unknown employer, more frozen than the balance,
    or the previous row's account number again. Takes and returns (employer legacy no, freeze, frozen, legacy no)."""
    emp_legacy, freeze, frozen, legacy = row_values
    if kind == "employer":
        emp_legacy = "DW99999999"
        res.dirty_rows.append((ACCOUNT_FILE, row, "EMPLOYER_UNKNOWN"))
    elif kind == "frozen":
        freeze, frozen = "2", balance + 10000
        res.dirty_rows.append((ACCOUNT_FILE, row, "FROZEN_EXCEEDS_BALANCE"))
    elif kind == "duplicate":
        legacy = prev_legacy
        res.dirty_rows.append((ACCOUNT_FILE, row, "DUPLICATE_ACCOUNT_NO"))
    return emp_legacy, freeze, frozen, legacy


MEMBER_PARTS = 2  # the members are drawn in this many runs of rows, each from a random stream of its own
PARALLEL_FROM = 20_000  # members from which the runs are written by processes side by side


def _write_members(out: Path, *, seed: int, members: int, cutover_date: date, headers: dict[str, list[str]], employers: int,
                   emp_info: list[tuple[str, int, int, int, str]], size_cum: list[float], total_w: float,
                   base_cap: int, base_floor: int, rounding: str, dirty: bool, encoding: str, res: GenerateResult,
                   progress: Callable[[int], None] | None) -> None:
    """个人.csv and 个人账户.csv together, one member and one account a row: each drawn to an employer by size,
    with a wage of its industry and age, deposits since it opened and the 积数 of this interest year.

    The rows come in MEMBER_PARTS runs (the first half of the members, then the second), each drawn from a
    random stream of its own (seeded from the seed and the run) with ID numbers of its own (the run is in the
    sequence digits, so no two runs can draw the same number): the extract is the same whether the runs are
    written one after the other or, on a machine that forks, side by side in processes of their own (from
    PARALLEL_FROM members). The first run writes the files with their headers; the others write part files
    appended to them at the end."""
    bounds = [(members * k // MEMBER_PARTS, members * (k + 1) // MEMBER_PARTS) for k in range(MEMBER_PARTS)]
    shared: dict[str, Any] = dict(
        seed=seed, cutover_date=cutover_date, employers=employers, emp_info=emp_info,
        size_cum=size_cum, total_w=total_w, base_cap=base_cap, base_floor=base_floor, rounding=rounding,
        dirty=dirty, members=members)
    part_encoding = "utf-8" if encoding == "utf-8-sig" else encoding  # no second BOM mid-file
    paths = [(out / MEMBER_FILE, out / ACCOUNT_FILE)] + [
        (out / f"{MEMBER_FILE}.part{k}", out / f"{ACCOUNT_FILE}.part{k}") for k in range(1, MEMBER_PARTS)]
    mp = (multiprocessing.get_context("fork")
          if members >= PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods() else None)
    running: dict[int, tuple[Any, Any]] = {}
    if mp is not None:
        for k in range(1, MEMBER_PARTS):
            recv, send = mp.Pipe(duplex=False)
            proc = mp.Process(target=_member_part_main, name=f"generate-members-{k}", daemon=True,
                              args=(send, os.getpid(), k, bounds[k], paths[k], part_encoding, shared))
            proc.start()
            send.close()
            running[k] = (recv, proc)
    reported = [0]

    def tick(n: int) -> None:  # the first run stands for all of them on the progress bar
        if progress:
            n = min(n * MEMBER_PARTS, members - reported[0])
            reported[0] += n
            progress(n)

    try:
        parts = [_member_part(0, bounds[0], paths[0], encoding=encoding, headers=headers, progress=tick, **shared)]
        for k in range(1, MEMBER_PARTS):
            if k in running:
                recv, proc = running[k]
                try:
                    got = recv.recv()
                except EOFError:
                    got = ("crash", f"exit code {proc.exitcode}")
                proc.join()
                if got[0] != "ok":
                    raise RuntimeError(f"member generator {k} failed: {got[1]}")
                parts.append(got[1])
            else:
                parts.append(_member_part(k, bounds[k], paths[k], encoding=part_encoding, headers=None,
                                          progress=None, **shared))
    finally:
        for _recv, proc in running.values():
            if proc.is_alive():
                proc.terminate()
            proc.join()
    for final, part in ((paths[0][0], [p[0] for p in paths[1:]]), (paths[0][1], [p[1] for p in paths[1:]])):
        with final.open("ab") as fh:
            for piece in part:
                with piece.open("rb") as src:
                    shutil.copyfileobj(src, fh, 1 << 22)
                piece.unlink()
    for sealed, frozen, total_balance, dirty_rows in parts:
        res.sealed += sealed
        res.frozen += frozen
        res.total_balance += total_balance
        res.dirty_rows += dirty_rows
    if progress and members > reported[0]:
        progress(members - reported[0])


def _member_part_main(send: Any, parent_pid: int, k: int, bounds: tuple[int, int], paths: tuple[Path, Path],
                      encoding: str, shared: dict[str, Any]) -> None:
    """A run of members written by a forked process of its own: (sealed, frozen, balance, dirty rows) come back
    through the pipe."""
    die_with_parent(parent_pid)
    try:
        got: tuple[Any, ...] = ("ok", _member_part(k, bounds, paths, encoding=encoding, headers=None, progress=None,
                                                   **shared))
    except BaseException:  # reported to the parent, which fails
        got = ("crash", traceback.format_exc())
    send.send(got)
    send.close()


def _member_part(k: int, bounds: tuple[int, int], paths: tuple[Path, Path], *, seed: int, members: int,
                 cutover_date: date, employers: int,
                 emp_info: list[tuple[str, int, int, int, str]], size_cum: list[float], total_w: float,
                 base_cap: int, base_floor: int, rounding: str, dirty: bool, encoding: str,
                 headers: dict[str, list[str]] | None, progress: Callable[[int], None] | None,
                 ) -> tuple[int, int, int, list[tuple[str, int, str]]]:
    """Members bounds[0] ≤ i < bounds[1] (run k), written to the two paths (with the headers when given).
    Returns (sealed, frozen, total balance, dirty rows) of the run."""
    rng = random.Random(f"{seed}:members:{k}")  # noqa: S311 (deterministic test data, not security)
    res = GenerateResult(directory=paths[0].parent)
    ys, _ = interest_year(cutover_date)
    jishu_days_done = (cutover_date - ys).days  # days from 7/1 to the day before cut-over
    year_deposits = _year_deposits(ys, cutover_date)
    sur_cum = _surname_weights()
    seen: set[int] = set()
    cut_ord = cutover_date.toordinal()
    ys_ord = ys.toordinal()
    dirty_mem = {2: "checksum", 5: "birth"} if dirty and members > 9 else {}
    dirty_acc = {4: "employer", 6: "frozen", 8: "duplicate"} if dirty and members > 9 else {}
    first, stop = bounds
    prev_legacy = f"{880000000000 + first - 1}" if first else ""
    with paths[0].open("w", encoding=encoding, newline="") as fm, \
            paths[1].open("w", encoding=encoding, newline="") as fa:
        wm, wa = csv.writer(fm), csv.writer(fa)
        if headers is not None:
            wm.writerow(headers[MEMBER_FILE])
            wa.writerow(headers[ACCOUNT_FILE])
        rand, randint, choice = rng.random, rng.randint, rng.choice
        for i in range(first, stop):
            person = _person(rng, on_ord=cut_ord, min_days=22 * 365 + 5, max_days=59 * 365, sur_cum=sur_cum,
                             seen=seen, part=k, parts=MEMBER_PARTS)
            id_number, birth, age = person.id_number, person.birth, person.age
            if i in dirty_mem:
                id_number = _dirty_id(person, dirty_mem[i], row=i + 2, res=res)
            wm.writerow([person.name, "01", id_number, person.phone, person.marital])

            # account
            e = bisect.bisect_right(size_cum, rand() * total_w)
            emp_legacy, emp_open, payday, er, ind = emp_info[min(e, employers - 1)]
            adult = birth.toordinal() + 18 * 366
            lo = max(emp_open, adult)
            opened_ord = randint(lo, max(lo, cut_ord - 1))
            base = synthetic_base(rng, industry=ind, age=age, cap=base_cap, floor=base_floor)
            mr = er if rand() < 0.9 else choice([r for r, _ in RATIOS_E4 if r <= er])
            emp_amt, mem_amt = monthly_amounts(base, _ratio_exact(er), _ratio_exact(mr), rounding)
            monthly = emp_amt + mem_amt
            sealed = rand() < 0.03
            end = randint(opened_ord, cut_ord - 1) + 1 if sealed else cut_ord  # no deposit on or after `end`
            o = date.fromordinal(opened_ord)
            e_prev = date.fromordinal(min(end, ys_ord))
            n_prev = max(0, _paydays_before(e_prev, payday) - _paydays_before(o, payday))
            carried = n_prev * monthly
            if n_prev:
                carried += carried * n_prev // 1600  # interest credited over the years, roughly 1.5%/yr on half
                if n_prev > 36 and rand() < 0.25:
                    carried = carried * randint(10, 70) // 100  # an earlier withdrawal (购房提取)
            cur = jishu_cur = 0
            last_dep = 0
            for d_ord, days in year_deposits[payday]:
                if opened_ord <= d_ord < end:
                    cur += monthly
                    jishu_cur += monthly * days
                    last_dep = d_ord
            if not last_dep and n_prev:
                last_dep = _last_payday(e_prev - timedelta(days=1), payday).toordinal() if e_prev > o else 0
            jishu_car = carried * jishu_days_done
            balance = carried + cur
            freeze, frozen = "0", 0
            if balance > 0 and rand() < 0.005:
                freeze, frozen = ("1", balance) if rand() < 0.6 else ("2", balance // 2 or balance)
                res.frozen += 1
            legacy = f"{880000000000 + i}"
            if i in dirty_acc:
                emp_legacy, freeze, frozen, legacy = _dirty_account(
                    dirty_acc[i], (emp_legacy, freeze, frozen, legacy), balance=balance, prev_legacy=prev_legacy,
                    row=i + 2, res=res)
            prev_legacy = legacy
            paid = date.fromordinal(last_dep) if last_dep else None
            sealed_date = date.fromordinal(end) if sealed else None
            wa.writerow([
                legacy, id_number, emp_legacy, _yuan(base), _ratio(er), _ratio(mr), "02" if sealed else "01",
                freeze, _yuan(frozen), _yuan(carried), _yuan(cur), _yuan(jishu_cur), _yuan(jishu_car),
                f"{paid.year:04d}{paid.month:02d}" if paid else "", "", o.isoformat(),
                sealed_date.isoformat() if sealed_date else "", choice(SEAL_REASONS) if sealed else "", "",
            ])
            res.sealed += sealed
            res.total_balance += balance
            if progress and (i + 1 - first) % 10_000 == 0:
                progress(10_000)
    if progress and (stop - first) % 10_000:
        progress((stop - first) % 10_000)
    return res.sealed, res.frozen, res.total_balance, res.dirty_rows


# ---------------------------------------------------------------- one person, one wage (the cut-over extract and
# the simulation's new hires draw them the same way)


class Person(NamedTuple):
    name: str
    id_number: str
    phone: str
    marital: str
    birth: date
    region: str
    seq: int
    age: int


@functools.cache
def _surname_weights() -> list[float]:
    return list(_cumulate(s for _, s in SURNAMES))


def _person(rng: random.Random, *, on_ord: int, min_days: int, max_days: int, sur_cum: list[float], seen: set[int], part: int = 0, parts: int = 1) -> Person:
    """A person aged min_days..max_days on the day `on_ord`: a resident ID with a real county code in use in the
    birth year and the GB 11643 check digit (unique within `seen`), a name, a marital status and a phone. Of
    `parts` runs drawing people side by side, run `part` draws the sequence numbers whose hundreds-and-tens are
    `part` modulo `parts` (no two runs can draw the same number)."""
    rand, randint, choice = rng.random, rng.randint, rng.choice
    female = rand() < FEMALE_SHARE
    age_days = randint(min_days, max_days)
    birth = date.fromordinal(on_ord - age_days)
    zj_ok, national_ok = _regions_in(birth.year)
    while True:
        region = choice(zj_ok) if rand() < 0.8 or not national_ok else choice(national_ok)
        seq = (randint(0, 100 // parts - 1) * parts + part) * 10 + (2 * randint(0, 4) + (0 if female else 1))
        first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
        key = int(first17)
        if key not in seen:
            seen.add(key)
            break
    surname = SURNAMES[bisect.bisect_right(sur_cum, rand() * sur_cum[-1])][0]
    pool = GIVEN_FEMALE if female else GIVEN_MALE
    given = choice(pool) + (choice(pool) if rand() < 0.7 else "")
    age = age_days // 365
    marital = "10" if age < 26 and rand() < 0.7 else ("20" if rand() < 0.85 else choice(("40", "30", "90")))
    return Person(surname + given, first17 + resident_id_check_digit(first17), _phone(rng), marital, birth, region,
                  seq, age)


def synthetic_person(rng: random.Random, *, on: date, min_age: int = 20, max_age: int = 50,
                     seen: set[int] | None = None) -> Person:
    """A new person for the center (a new hire of the simulation), deterministic for the state of `rng`."""
    return _person(rng, on_ord=on.toordinal(), min_days=min_age * 365 + 5, max_days=max_age * 365,
                   sur_cum=_surname_weights(), seen=set() if seen is None else seen)


def synthetic_employer_name(rng: random.Random, *, industry: str) -> str:
    """杭州 + a 字号 of two different characters + a tail of the industry (INDUSTRY_PROFILE), drawn again in the
    rare case two characters side by side would appear twice in the name (华信信息技术: 信 next to 信 is fine,
    杭州正中餐饮餐饮管理 is not)."""
    tails = INDUSTRY_PROFILE[industry][1]
    while True:
        name = f"杭州{''.join(rng.sample(NAME_CHARS, 2))}{rng.choice(tails)}"
        pairs = [name[i:i + 2] for i in range(len(name) - 1)]
        if len(pairs) == len(set(pairs)):
            return name


def synthetic_base(rng: random.Random, *, industry: str, age: int, cap: int, floor: int) -> int:
    """A contribution base in fen: a log-normal wage around the industry's median, rising with age, whole yuan,
    clamped to the cap and floor."""
    wage = INDUSTRY_PROFILE[industry][0] * math.exp(rng.gauss(0, 0.45)) * (0.8 + min(age, 50) / 100)
    return min(max(int(wage) * 100, floor), cap)


_region_cache: dict[str, bool] = {}


@functools.cache
def _regions_in(year: int) -> tuple[list[str], list[str]]:
    """The county codes of _regions() in use in a birth year (_region_valid): (Zhejiang's, the country's). A
    person's code is drawn from these directly, instead of drawing any code and trying again."""
    zj, national = _regions()
    return ([c for c in zj if _region_valid(f"{c}{year:04d}")],
            [c for c in national if _region_valid(f"{c}{year:04d}")])


def _region_valid(region_year: str) -> bool:
    """Whether a county code was in use in a birth year (stdnum's cn/loc keeps the years of each code)."""
    ok = _region_cache.get(region_year)
    if ok is None:
        ok = county_valid(region_year[:6], int(region_year[6:]))  # stdnum's answer, from a table per county
        if ok is None:
            from stdnum.cn import ric

            sample = region_year + "0101001"
            ok = ric.is_valid(sample + resident_id_check_digit(sample))
        _region_cache[region_year] = ok
    return ok


def _cumulate(weights: Any) -> Any:
    t = 0.0
    for w in weights:
        t += w
        yield t


def _org_code(i: int) -> str:
    """A unique 9-character organisation-code part for employer i (digits only; injective for i < 10⁹)."""
    return f"{(i * 7919 + 12345) % 1_000_000_000:09d}"


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}"


def _add_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, d.day)


def _paydays_before(d: date, payday: int) -> int:
    """Paydays strictly before d counted from year 0 (differences give the paydays in a range)."""
    return d.year * 12 + d.month - 1 + (1 if d.day > payday else 0)


def _last_payday(d: date, payday: int) -> date:
    """The last payday on or before d."""
    if d.day >= payday:
        return d.replace(day=payday)
    prev = d.replace(day=1) - timedelta(days=1)
    return prev.replace(day=payday)


# ---------------------------------------------------------------- orchestration (the command's service)


def generate_center(
    *, employers: int, members: int, seed: int, cutover_date: date, out: Path | str, actor: Actor,
    center_code: str = DEFAULT_CENTER_CODE, center_name: str = DEFAULT_CENTER_NAME, dirty: bool = False,
    load: bool = True, encoding: str = "utf-8-sig", progress: bool = False, echo: Callable[[str], None] | None = None,
    error_file: Path | str | None = None,
) -> tuple[GenerateResult, Any]:
    """Write the extract, create the center if needed, and (unless load=False) cut it over."""
    center = Center.objects.filter(code=center_code).first()
    cap = int(policy_value("contribution.base.cap", on=cutover_date, center=center))
    floor = int(policy_value("contribution.base.floor", on=cutover_date, center=center))
    rounding = str(policy_value("contribution.rounding", on=cutover_date, center=center))
    bar = _bar(progress, members)
    t0 = time.perf_counter()
    try:
        gen = generate_extract(out=out, employers=employers, members=members, seed=seed, cutover_date=cutover_date,
                               base_cap=cap, base_floor=floor, rounding=rounding, dirty=dirty, encoding=encoding,
                               progress=bar[1] if bar else None)
    finally:
        if bar:
            bar[0].stop()
    gen.seconds = time.perf_counter() - t0
    if not load:
        return gen, None
    if center is None:
        center = center_create(code=center_code, name=center_name, business_date=cutover_date, actor=actor)
    t0 = time.perf_counter()
    try:
        result = cutover_import(center=center, directory=out, cutover_date=cutover_date, actor=actor,
                                error_file=error_file, progress=progress, echo=echo)
    finally:
        gen.import_seconds = time.perf_counter() - t0
    return gen, result


def _bar(progress: bool, total: int) -> tuple[Any, Callable[[int], None]] | None:
    if not progress:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    p = Progress(TextColumn("[bold]生成迁移数据"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                 console=Console(stderr=True))
    task = p.add_task("generate", total=total)
    p.start()
    return p, lambda n: p.advance(task, n)


"""Demo employer names read like real ones: the trade is said once (never 杭州正中餐饮餐饮管理有限公司), over a
generated sample of the extract and over many draws of every industry."""

from __future__ import annotations

import csv
import random
from collections import Counter
from datetime import date

from openhpf.accounts.cutover import EMPLOYER_FILE
from openhpf.demo.synthetic import INDUSTRY_PROFILE, generate_extract, synthetic_employer_name

# the words of a trade that a tail names; one of them twice in a name is the fault being prevented
TRADE_WORDS = ("农业", "矿业", "机械", "实业", "电子", "能源", "建设", "建筑", "工程", "贸易", "商贸", "物流", "运输",
               "餐饮", "酒店", "科技", "信息", "技术", "软件", "保险", "投资", "置业", "房地产", "咨询", "管理",
               "服务", "环境", "教育", "学校", "医疗", "医院", "文化", "传媒", "体育", "有限公司")


def _repeats(name: str) -> list[str]:
    pairs = Counter(name[i:i + 2] for i in range(len(name) - 1))
    return [p for p, n in pairs.items() if n > 1] + [w for w in TRADE_WORDS if name.count(w) > 1]


def test_a_generated_extract_names_each_trade_once(tmp_path):
    gen = generate_extract(out=tmp_path, employers=400, members=0, seed=7, cutover_date=date(2026, 11, 30),
                           base_cap=3447000, base_floor=228000)
    with (gen.directory / EMPLOYER_FILE).open(encoding="utf-8-sig") as fh:
        names = [row["单位名称"] for row in csv.DictReader(fh)]
    assert len(names) == 400
    bad = {n: _repeats(n) for n in names if _repeats(n)}
    assert not bad, bad
    assert all(n.startswith("杭州") and len(n) <= 20 for n in names)
    assert len(set(names)) > 350  # varied, not one name over and over


def test_every_industry_over_many_draws():
    rng = random.Random(2026)
    for industry, (_wage, tails) in INDUSTRY_PROFILE.items():
        for _ in range(300):
            name = synthetic_employer_name(rng, industry=industry)
            assert not _repeats(name), name
            assert any(name.endswith(t) for t in tails), name
            assert name[2] != name[3], name  # a 字号 of two different characters

"""Contribution models, one module per area: remittance (汇缴/补缴/预缴/退缴, receipts, suspense) and relief
(基数调整, 缓缴/降比例, 灵活就业, 欠缴)."""

from .rates import *  # noqa: F403
from .relief import *  # noqa: F403
from .remittance import *  # noqa: F403

"""Remittance models: 汇缴清册, receipts (银行到账), suspense (暂存/暂收) and allocations, 补缴, 预缴, 退缴."""

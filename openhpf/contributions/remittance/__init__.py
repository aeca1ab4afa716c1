"""Remittance and receipts: 汇缴/补缴/退缴, 到账登记, the roster file import and base/ratio adjustments."""

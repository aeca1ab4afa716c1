"""Relief: 缓缴/降比例 (hardship), 灵活就业 (flexible employment) and 欠缴 (arrears), with their API and pages."""

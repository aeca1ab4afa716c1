"""Relief and adjustment models: annual base adjustment, hardship (缓缴/降比例), flexible employment (灵活就业)."""

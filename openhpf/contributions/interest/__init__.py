"""Interest: the money rules, month-end accrual, year-end settlement and the annual statement."""

"""The loans app's models, one module per area so that each grows on its own:

- `loan`: the loan and its schedule (`Loan`, `LoanInstallment`), shaped to take servicing (repayments, overdue,
  classification) in the next stage.
- `product`: loan products as checked, effective-dated versions (`LoanProduct`) and the statutory retirement age
  table (`RetirementAge`).
- further modules: the application's parties, property, contract and collateral."""

from .loan import Loan, LoanInstallment
from .product import LoanProduct, RetirementAge

__all__ = ["Loan", "LoanInstallment", "LoanProduct", "RetirementAge"]

"""The loans app's models, one module per area so that each grows on its own:

- `loan`: the loan and its schedule (`Loan`, `LoanInstallment`), shaped to take servicing (repayments, overdue,
  classification) in the next stage.
- further modules: products and policy, the application's parties, property, contract and collateral."""

from .loan import Loan, LoanInstallment

__all__ = ["Loan", "LoanInstallment"]

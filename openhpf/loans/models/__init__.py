"""The loans app's models, one module per area so that each grows on its own:

- `loan`: the loan and its schedule (`Loan`, `LoanInstallment`), shaped to take servicing (repayments, overdue,
  classification) in the next stage.
- `application`: from the approved application to the disbursed loan: contract and signatures, collateral,
  disbursement, and the 骗提骗贷 record the eligibility rules read.
- further modules: products and policy."""

from .application import (
    Collateral,
    ContractSignature,
    Disbursement,
    FraudFlag,
    HomeOrder,
    LoanContract,
    LoanParty,
)
from .loan import Loan, LoanInstallment

__all__ = ["Collateral", "ContractSignature", "Disbursement", "FraudFlag", "HomeOrder", "Loan", "LoanContract",
           "LoanInstallment", "LoanParty"]

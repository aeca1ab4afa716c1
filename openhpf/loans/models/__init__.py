"""The loans app's models, one module per area so that each grows on its own:

- `loan`: the loan and its schedule (`Loan`, `LoanInstallment`), shaped to take servicing (repayments, overdue,
  classification) in the next stage.
- `product`: loan products as checked, effective-dated versions (`LoanProduct`) and the statutory retirement age
  table (`RetirementAge`).
- `application`: from the approved application to the disbursed loan: contract and signatures, collateral,
  disbursement, and the 骗提骗贷 record the eligibility rules read.
"""

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
from .product import LoanProduct, RetirementAge

__all__ = ["Collateral", "ContractSignature", "Disbursement", "FraudFlag", "HomeOrder", "Loan", "LoanContract",
           "LoanInstallment", "LoanParty", "LoanProduct", "RetirementAge"]

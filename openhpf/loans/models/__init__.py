"""The loans app's models, one module per area so that each grows on its own:

- `loan`: the loan and its schedule (`Loan`, `LoanInstallment`), shaped to take servicing (repayments, overdue,
  classification) in the next stage.
- `product`: loan products as checked, effective-dated versions (`LoanProduct`) and the statutory retirement age
  table (`RetirementAge`).
- `application`: from the approved application to the disbursed loan: contract and signatures, collateral,
  disbursement, and the 骗提骗贷 record the eligibility rules read.
- `closing`: after settlement: the 贷款结清证明 and the collateral's release (解除抵押).
- `collection`: the COB's bank debit of borrowers' cards, one row per loan and date (`LoanCollection`).
- `servicing`: after disbursement: dues, payments and their allocation, schedule versions, classification,
  collection cases, write-offs, the collateral's watch, reminders.
- `cob`: what the close of business keeps for itself (the reserve report).
"""

from .application import (
    Collateral,
    ContractSignature,
    Disbursement,
    FraudFlag,
    HomeOrder,
    LoanContract,
    LoanGuarantor,
    LoanParty,
)
from .closing import CollateralRelease, LoanSettlementCertificate
from .cob import ReserveReport
from .collection import LoanCollection
from .loan import Loan, LoanInstallment
from .product import LoanProduct, RetirementAge
from .servicing import (
    CollateralEvent,
    CollectionAction,
    CollectionCase,
    LoanClassChange,
    LoanDue,
    LoanPayment,
    LoanReminder,
    LoanScheduleVersion,
    LoanWriteOff,
)

__all__ = ["Collateral", "CollateralEvent", "CollateralRelease", "CollectionAction", "CollectionCase",
           "ContractSignature", "Disbursement", "FraudFlag", "HomeOrder", "Loan", "LoanClassChange", "LoanCollection",
           "LoanContract", "LoanDue", "LoanGuarantor", "LoanInstallment", "LoanParty", "LoanPayment", "LoanProduct",
           "LoanReminder", "LoanScheduleVersion", "LoanSettlementCertificate", "LoanWriteOff", "ReserveReport",
           "RetirementAge"]

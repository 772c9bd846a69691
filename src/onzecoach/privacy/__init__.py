"""Privacy (AVG): erasing an employee on request, and again after a restored backup;
retention (``purge_due``) erases who is past their employer's period."""

from onzecoach.privacy._model import ERASED_EXTERNAL_ID_PREFIX, MAX_REASON_LENGTH, ErasedEmployee
from onzecoach.privacy._ports import (
    ErasureRepository,
    PrivacyRepositories,
    PrivacyUnitOfWork,
    RetentionUnitOfWork,
)
from onzecoach.privacy._report import (
    CleanUp,
    DueEmployee,
    PurgeReport,
    PurgeRun,
    RetentionFacts,
    RetentionReason,
    add_months,
    due,
)
from onzecoach.privacy._service import PrivacyService

__all__ = [
    "ERASED_EXTERNAL_ID_PREFIX",
    "MAX_REASON_LENGTH",
    "CleanUp",
    "DueEmployee",
    "ErasedEmployee",
    "ErasureRepository",
    "PrivacyRepositories",
    "PrivacyService",
    "PrivacyUnitOfWork",
    "PurgeReport",
    "PurgeRun",
    "RetentionFacts",
    "RetentionReason",
    "RetentionUnitOfWork",
    "add_months",
    "due",
]

"""Privacy (AVG): erasing an employee on request, and again after a restored backup."""

from onzecoach.privacy._model import ERASED_EXTERNAL_ID_PREFIX, MAX_REASON_LENGTH, ErasedEmployee
from onzecoach.privacy._ports import ErasureRepository, PrivacyRepositories, PrivacyUnitOfWork
from onzecoach.privacy._service import PrivacyService

__all__ = [
    "ERASED_EXTERNAL_ID_PREFIX",
    "MAX_REASON_LENGTH",
    "ErasedEmployee",
    "ErasureRepository",
    "PrivacyRepositories",
    "PrivacyService",
    "PrivacyUnitOfWork",
]

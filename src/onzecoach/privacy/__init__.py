"""Privacy (AVG): erasing an employee on request, and again after a restored backup; a
person's export (the right of access and portability) and who read their dossier;
retention (``purge_due``) erases who is past their employer's period."""

from onzecoach.privacy._archive import (
    EXPORT_SCHEMA,
    EXPORT_VERSION,
    AccessEntry,
    ExportedAppointment,
    ExportedMessage,
    ExportedTask,
    ExportedTrajectory,
    PersonalData,
)
from onzecoach.privacy._erasure_list import (
    ERASURE_LIST_FORMAT,
    ERASURE_LIST_VERSION,
    erasure_list_json,
    merge_erasures,
    read_erasure_list,
)
from onzecoach.privacy._export import PersonalDataService
from onzecoach.privacy._labels import ACTION_LABELS
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
    "ACTION_LABELS",
    "ERASED_EXTERNAL_ID_PREFIX",
    "ERASURE_LIST_FORMAT",
    "ERASURE_LIST_VERSION",
    "EXPORT_SCHEMA",
    "EXPORT_VERSION",
    "MAX_REASON_LENGTH",
    "AccessEntry",
    "CleanUp",
    "DueEmployee",
    "ErasedEmployee",
    "ErasureRepository",
    "ExportedAppointment",
    "ExportedMessage",
    "ExportedTask",
    "ExportedTrajectory",
    "PersonalData",
    "PersonalDataService",
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
    "erasure_list_json",
    "merge_erasures",
    "read_erasure_list",
]

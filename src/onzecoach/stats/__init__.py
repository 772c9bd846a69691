"""The statistics dashboard: rollups kept on write, drill-down, privacy thresholds, export."""

from onzecoach.stats._export import dashboard_csv, dashboard_xlsx
from onzecoach.stats._labels import (
    DEFAULT_SORT,
    FIGURES,
    ROW_HEADERS,
    SORT_OPTIONS,
    Figure,
    SortOption,
)
from onzecoach.stats._model import (
    COUNTER_FIELDS,
    NO_DEPARTMENT,
    Counters,
    Dashboard,
    DashboardRow,
    Level,
    StatsCell,
    StatsScope,
    ThemeCell,
    month_key,
    months,
)
from onzecoach.stats._ports import StatsRepositories, StatsRepository, StatsUnitOfWork
from onzecoach.stats._rollup import Contribution, Rollups, contribution
from onzecoach.stats._service import SORTS, ExportFormat, Sort, StatsService

__all__ = [
    "COUNTER_FIELDS",
    "DEFAULT_SORT",
    "FIGURES",
    "NO_DEPARTMENT",
    "ROW_HEADERS",
    "SORTS",
    "SORT_OPTIONS",
    "Contribution",
    "Counters",
    "Dashboard",
    "DashboardRow",
    "ExportFormat",
    "Figure",
    "Level",
    "Rollups",
    "Sort",
    "SortOption",
    "StatsCell",
    "StatsRepositories",
    "StatsRepository",
    "StatsScope",
    "StatsService",
    "StatsUnitOfWork",
    "ThemeCell",
    "contribution",
    "dashboard_csv",
    "dashboard_xlsx",
    "month_key",
    "months",
]

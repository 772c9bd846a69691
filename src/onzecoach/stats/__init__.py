"""The statistics dashboard: rollups kept on write, drill-down, privacy thresholds, export."""

from onzecoach.stats._export import dashboard_csv, dashboard_xlsx
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
)
from onzecoach.stats._rollup import Contribution, Rollups, contribution
from onzecoach.stats._service import SORTS, StatsService

__all__ = [
    "COUNTER_FIELDS",
    "NO_DEPARTMENT",
    "SORTS",
    "Contribution",
    "Counters",
    "Dashboard",
    "DashboardRow",
    "Level",
    "Rollups",
    "StatsCell",
    "StatsScope",
    "StatsService",
    "ThemeCell",
    "contribution",
    "dashboard_csv",
    "dashboard_xlsx",
]

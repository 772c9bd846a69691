"""The dashboard as a spreadsheet: CSV for any program, XLSX (openpyxl) for Excel.

Headers are Dutch. The CSV follows Dutch Excel: ``;`` between fields, a decimal comma and
UTF-8 with a byte order mark. Text a person typed (names of employers, departments and
themes) never becomes a formula: in CSV a cell starting with ``= + - @`` gets a leading
apostrophe, in XLSX every text cell is stored as text.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from onzecoach.notifications import dutch_date
from onzecoach.stats._labels import FIGURES, ROW_HEADERS
from onzecoach.stats._model import Dashboard, DashboardRow

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["dashboard_csv", "dashboard_xlsx"]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


def _table(dashboard: Dashboard) -> list[list[Cell]]:
    """The breakdown with a total row; the only row is the total below an employee."""
    first = "Selectie" if dashboard.row_level is None else ROW_HEADERS[dashboard.row_level]
    table: list[list[Cell]] = [[first, *(figure.header for figure in FIGURES)]]
    table.extend([row.label, *_values(row)] for row in dashboard.rows)
    table.append([f"Totaal: {dashboard.label}", *_values(dashboard)])
    return table


def _values(source: Dashboard | DashboardRow) -> list[Cell]:
    return [getattr(source, figure.key) for figure in FIGURES]


def _themes_text(themes: dict[str, int] | None, note: str | None) -> str:
    if themes is None:
        return f"verborgen: {note}" if note else "verborgen"
    return ", ".join(f"{theme}: {count}" for theme, count in themes.items())


def _period(dashboard: Dashboard) -> str:
    return f"{dutch_date(dashboard.start)} t/m {dutch_date(dashboard.end)}"


def _safe(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def dashboard_csv(dashboard: Dashboard) -> bytes:
    """The breakdown and its total as CSV for Dutch Excel (``;``, decimal comma, UTF-8).

    Above the table: the period and the scope's themes (or why they are hidden).
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Periode", _period(dashboard)])
    writer.writerow(["Thema's", _safe(_themes_text(dashboard.themes, dashboard.themes_note))])
    writer.writerow([])
    for row in _table(dashboard):
        writer.writerow([_safe(value) for value in row])
    return out.getvalue().encode("utf-8-sig")


def dashboard_xlsx(dashboard: Dashboard) -> bytes:
    """The dashboard as an Excel workbook: overview, per month, themes and breakdown."""
    try:
        from openpyxl import Workbook  # noqa: PLC0415 - an optional extra
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # noqa: PLC0415
        from openpyxl.styles import Font  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError("XLSX export needs openpyxl: pip install 'onzecoach[xlsx]'") from exc
    book = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, rows: Sequence[Sequence[Cell]], *, header: bool = True) -> None:
        ws = book.create_sheet(title)
        for values in rows:
            ws.append([None if v is None else v for v in values])
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    # Stored as text, so a name such as "=1+1" never runs as a formula;
                    # characters XML cannot hold are dropped rather than break the file.
                    cell.value = ILLEGAL_CHARACTERS_RE.sub("", cell.value)
                    cell.data_type = "s"
        if header and ws.max_row:
            for cell in ws[1]:
                cell.font = bold
        for column in ws.columns:
            width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
            ws.column_dimensions[column[0].column_letter].width = min(60, max(10, width + 2))

    share = dashboard.online_share
    sheet(
        "Overzicht",
        [
            ["Selectie", dashboard.label],
            ["Periode", _period(dashboard)],
            *(
                [figure.header, value]
                for figure, value in zip(FIGURES, _values(dashboard), strict=True)
            ),
            ["Aandeel online", None if share is None else round(share, 3)],
        ],
        header=False,
    )
    sheet(
        "Per maand",
        [["Maand", "Gehouden gesprekken"], *dashboard.sessions_per_month.items()],
    )
    theme_rows: list[list[Cell]] = [["Thema", "Gehouden gesprekken"]]
    if dashboard.themes is None:
        theme_rows.append([_themes_text(None, dashboard.themes_note), None])
    else:
        theme_rows.extend([theme, count] for theme, count in dashboard.themes.items())
    sheet("Thema's", theme_rows)
    sheet("Uitsplitsing", _table(dashboard))
    del book["Sheet"]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

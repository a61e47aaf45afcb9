"""CSV and XLSX exports (annual performance review), safe against formula injection.

A text cell that starts with = + - @ (or a tab / carriage return) would be run as a
formula by spreadsheet programs; such cells get a leading apostrophe. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from rest_framework.renderers import BaseRenderer

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

Table = tuple[str, list[str], list[list]]  # (title / sheet name, header, rows)


def safe_cell(value):
    """A value ready for a spreadsheet: numbers and dates as is, text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, int | float | Decimal | datetime.date):
        return value
    text = str(value)
    if text.startswith(DANGEROUS_PREFIXES):
        return "'" + text
    return text


def _number(value):
    """Serializer output carries decimals as strings; turn them back into numbers."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


def write_csv(tables: list[Table]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for index, (title, header, rows) in enumerate(tables):
        if index:
            writer.writerow([])
        if len(tables) > 1:
            writer.writerow([safe_cell(title)])
        writer.writerow([safe_cell(h) for h in header])
        for row in rows:
            writer.writerow([safe_cell(c) for c in row])
    # BOM: Excel opens UTF-8 Chinese text correctly only with it
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(tables: list[Table]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for title, header, rows in tables or [(_("空"), [], [])]:
        name = "".join(ch for ch in str(title) if ch not in "[]:*?/\\")[:31] or "Sheet"
        base, n = name, 2
        while name in used:
            name = f"{base[:28]}-{n}"
            n += 1
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.append([safe_cell(h) for h in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([safe_cell(c) for c in row])
        for column in sheet.columns:
            width = max((len(str(c.value or "")) for c in column), default=8)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------ tables
SCORECARD_HEADER = [
    "department",
    "period",
    "kpi",
    "name",
    "unit",
    "direction",
    "target",
    "weight",
    "value",
    "numerator",
    "denominator",
    "score",
    "is_joint",
    "frozen",
    "no_cases",
]


def scorecard_rows(card: dict) -> list[list]:
    rows = [
        [
            card["department"],
            card["period"],
            k["code"],
            k["name"],
            k["unit"],
            k["direction"],
            _number(k["target"]),
            _number(k["weight"]),
            _number(k["value"]),
            _number(k["numerator"]),
            _number(k["denominator"]),
            _number(k["score"]),
            k["is_joint"],
            k["frozen"],
            k.get("no_cases", False),
        ]
        for k in card["kpis"]
    ]
    rows.append(
        [card["department"], card["period"], "weighted_score", _("加权得分")]
        + [""] * 7
        + [_number(card["score"]), "", card["frozen"], ""]
    )
    return rows


def scorecard_table(card: dict) -> Table:
    return (f"{card['department']} {card['period']}", SCORECARD_HEADER, scorecard_rows(card))


VALUES_HEADER = [
    "kpi",
    "period",
    "start",
    "end",
    "value",
    "numerator",
    "denominator",
    "frozen",
    "no_cases",
]


def values_table(data: dict) -> Table:
    rows = [
        [
            r["kpi"],
            r["period"],
            r["start"],
            r["end"],
            _number(r["value"]),
            _number(r["numerator"]),
            _number(r["denominator"]),
            r["frozen"],
            r.get("no_cases", False),
        ]
        for r in data.get("results", [])
    ]
    return (str(data.get("scope", "values")), VALUES_HEADER, rows)


APPRAISAL_HEADER = [
    "person",
    "username",
    "department",
    "projects",
    "kpi",
    "name",
    "unit",
    "target",
    "value",
    "numerator",
    "denominator",
    "no_cases",
    "department_value",
]


def appraisal_table(data: dict) -> Table:
    """The per-person appraisal (kpi.selectors.appraisal): one row per person and joint KPI."""
    rows = [
        [
            person["name"],
            person["username"],
            person["department"],
            person["projects"],
            row["code"],
            row["name"],
            row["unit"],
            _number(row["target"]),
            _number(row["value"]),
            _number(row["numerator"]),
            _number(row["denominator"]),
            row["no_cases"],
            _number(row["department_value"]),
        ]
        for person in data["people"]
        for row in person["rows"]
    ]
    return (f"appraisal {data['year']}", APPRAISAL_HEADER, rows)


def tables_for(data) -> list[Table]:
    """Pick the table layout from the response data (errors included: never a 500)."""
    if isinstance(data, dict) and "kpis" in data and "department" in data:
        return [scorecard_table(data)]
    if isinstance(data, dict) and "results" in data:
        return [values_table(data)]
    if isinstance(data, dict):
        rows = []
        for key, messages in data.items():
            for message in messages if isinstance(messages, list) else [messages]:
                rows.append([key, message])
        return [(_("错误"), ["field", "message"], rows)]
    return [("data", ["value"], [[data]])]


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return write_csv(tables_for(data))


class XLSXRenderer(BaseRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return write_xlsx(tables_for(data))

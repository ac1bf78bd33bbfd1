"""CSV injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with `=`, `+`,
`-`, `@`, tab or carriage return as a formula (`=HYPERLINK(...)` leaks data when clicked).
Every CSV the system writes passes its text cells through `csv_cell` (Python writers) or
`csv_cell_sql` (PostgreSQL COPY): such a cell is prefixed with a single quote, which the
spreadsheet shows as text. Numbers, dates and JSON are never formulas and stay as they are;
data.json of a disclosure package keeps the original text.
"""

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """The value for a CSV cell: text that a spreadsheet would run is prefixed with `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_cell_sql(column: str) -> str:
    """SQL (PostgreSQL) for the text column expression `column`, neutralised like `csv_cell`."""
    prefixes = ", ".join(f"chr({ord(prefix)})" for prefix in FORMULA_PREFIXES)
    return f"CASE WHEN left({column}, 1) IN ({prefixes}) THEN '''' || {column} ELSE {column} END"

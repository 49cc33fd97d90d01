"""Cells a spreadsheet would run as a formula, made inert, in every CSV made for people.

A cell starting with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` (OWASP's advice),
except a plain number: `-12.5` stays a number, which is also what the phone columns hold.
"""

from __future__ import annotations

import polars as pl

_FORMULA_START = r"^[=+\-@\t\r]"
_NUMBER = r"^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$"
# In a phone column, a number as people write it ("+44 7400 100001") is left as it is.
_PHONE = r"^\+?[0-9][0-9 ().\-]*$"


def inert(cell: pl.Expr, *, phone: bool = False) -> pl.Expr:
    """`cell` (text) with formulas prefixed by a quote; numbers (and, in a phone column,
    phone numbers) and nulls unchanged. The number pattern is matched only against the
    cells that start like a formula (the others are null to it): most cells do not, and
    matching it against every cell cost more than the rest of the check."""
    starts = cell.str.contains(_FORMULA_START)
    safe = pl.when(starts).then(cell).str.contains(_PHONE if phone else _NUMBER)
    return pl.when(starts & ~safe.fill_null(False)).then(pl.lit("'") + cell).otherwise(cell)

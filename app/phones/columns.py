"""The normalizer's working columns, dropped again once a number is read.

Each step is a column, not a repeated sub-expression: reusing expressions nests them, and
the plan grows exponentially.
"""

from __future__ import annotations

from typing import TypeVar

import polars as pl

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

TEXT, SLOW, WRITTEN = "_ph_text", "_ph_slow", "_ph_written"
DROPPED, VALUE, LENGTH, PLUS = "_ph_dropped", "_ph_value", "_ph_length", "_ph_plus"
FRACTION, BAD, REGION = "_ph_fraction", "_ph_bad", "_ph_region"
CODE, TARGET = "_ph_code", "_ph_target"
WORKING = (TEXT, SLOW, WRITTEN, DROPPED, VALUE, LENGTH, PLUS, FRACTION, BAD, REGION)

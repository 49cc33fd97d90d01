"""Benchmark: clean a 10M-row CSV against three 1M-number lists with the real code path.

    .venv/bin/python scripts/bench_cleaning.py [--rows 10000000] [--list-size 1000000]
                                               [--repeat 3]

Generates (once, cached under .data/bench) a file with mixed formats (E.164 digits,
+44 with spaces, 0044, national 07…, spreadsheet floats), ~10% blacklisted and ~5%
monitored numbers, duplicates across formats and invalid rows. Then, each time in a
fresh process: the numbering plans are compiled (what the service does at start-up,
timed apart), polars' own streaming read+write of the file is timed (the floor), and
`app.cleaning.classify` with validation and line types on (`exclude_non_mobile`).
Prints each run, the medians, the ratio cleaning/floor and the peak memory (RSS).
The import benchmark (1M numbers into a list) is `scripts/bench_import.py`.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DIR = ROOT / ".data" / "bench"


def _formats(numbers: np.ndarray, rng: np.random.Generator) -> pl.Series:
    """The same numbers written the ways people write them."""
    digits = pl.Series(numbers.astype(str))
    national = "0" + digits.str.slice(2)
    spaced = "+44 " + digits.str.slice(2, 4) + " " + digits.str.slice(6)
    styles = rng.integers(0, 6, len(numbers))
    frame = pl.DataFrame(
        {
            "style": styles,
            "digits": digits,
            "national": national,
            "spaced": spaced,
            "double_zero": "00" + digits,
            # How a spreadsheet writes 447400100001: 4.47400100001e+11.
            "float": digits.str.slice(0, 1) + "." + digits.str.slice(1) + "e+11",
        }
    )
    return frame.select(
        pl.when(pl.col("style") == 0)
        .then(pl.col("national"))
        .when(pl.col("style") == 1)
        .then(pl.col("spaced"))
        .when(pl.col("style") == 2)
        .then(pl.col("double_zero"))
        .when(pl.col("style") == 3)
        .then(pl.col("float"))
        .otherwise(pl.col("digits"))
    ).to_series()


def generate(rows: int, list_size: int) -> Path:
    target = BENCH_DIR / f"clean-{rows}-{list_size}"
    if (target / "done").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    base = 447_000_000_000
    # Three disjoint lists of UK mobiles.
    pool = rng.choice(999_999_999, size=3 * list_size, replace=False) + base
    black, monitor, white = np.split(pool, 3)
    for name, values in (("blacklist", black), ("monitor", monitor), ("whitelist", white)):
        pl.DataFrame({"p": values}).write_parquet(target / f"{name}.parquet")
    # Rows: 10% blacklisted, 5% monitored, 5% whitelisted, 75% fresh, 3% repeats, 2% invalid.
    kinds = rng.choice(6, size=rows, p=[0.10, 0.05, 0.05, 0.75, 0.03, 0.02])
    numbers = rng.integers(base, base + 999_999_999, size=rows)
    numbers[kinds == 0] = rng.choice(black, size=(kinds == 0).sum())
    numbers[kinds == 1] = rng.choice(monitor, size=(kinds == 1).sum())
    numbers[kinds == 2] = rng.choice(white, size=(kinds == 2).sum())
    repeats = np.flatnonzero(kinds == 4)
    numbers[repeats] = numbers[rng.integers(0, rows, size=len(repeats))]
    phones = _formats(numbers, rng)
    invalid = pl.Series(rng.choice(["{{phone}}", "n/a", "12345", "", "+0 000"], size=rows))
    phones = pl.select(pl.when(pl.Series(kinds == 5)).then(invalid).otherwise(phones)).to_series()
    names = pl.Series(rng.choice(["Ann", "Bob", "Zoë", "=cmd()", "O'Neil"], size=rows))
    pl.DataFrame({"phone": phones, "name": names, "source": "bench"}).write_csv(
        target / "input.csv"
    )
    (target / "done").touch()
    return target


def floor(target: Path) -> float:
    """polars' own streaming read and write of the same file: the least any pass costs."""
    columns = len(pl.read_csv(target / "input.csv", n_rows=1).columns)
    started = time.perf_counter()
    pl.scan_csv(
        target / "input.csv",
        has_header=False,
        skip_rows=1,
        schema={f"c{i}": pl.String for i in range(columns)},  # as cleaning reads it
    ).sink_csv(target / "floor.csv", engine="streaming")
    return time.perf_counter() - started


def run(target: Path) -> dict[str, float]:
    from app.cleaning.classify import Filters, Lists, classify
    from app.cleaning.layout import detect_layout
    from app.phones.normalize import compile_plans

    started = time.perf_counter()
    compile_plans()
    compile_seconds = time.perf_counter() - started
    floor_seconds = floor(target)
    lists = {
        name: pl.read_parquet(target / f"{name}.parquet")["p"]
        for name in ("blacklist", "monitor", "whitelist")
    }
    empty = pl.Series("p", [], dtype=pl.Int64)
    started = time.perf_counter()
    layout = detect_layout(target / "input.csv", ",", "44")
    counts = classify(
        target / "input.csv",
        layout,
        Lists(conversions=empty, main_database=empty, **lists),
        Filters(
            include_blacklist=True,
            include_monitor=True,
            include_conversion=True,
            exclude_non_mobile=True,
        ),
        "44",
        clean_path=target / "clean.csv",
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "floor": floor_seconds,
        "compile": compile_seconds,
        "peak_mib": peak,
        "rows": counts.total,
        **counts.by_outcome,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--list-size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:  # the child: only the measured work in this process
        print(json.dumps(run(Path(args.measure))))
        return
    target = generate(args.rows, args.list_size)
    size = (target / "input.csv").stat().st_size / 1e9
    results = []
    for attempt in range(args.repeat):
        child = subprocess.run(
            [sys.executable, __file__, "--measure", str(target)],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(child.stdout)
        results.append(result)
        print(
            f"run {attempt + 1}: floor {result['floor']:.2f} s, cleaning {result['seconds']:.2f} s"
            f" ({result['seconds'] / result['floor']:.2f}x), plans compiled in"
            f" {result['compile']:.2f} s, peak {result['peak_mib']:.0f} MiB"
        )
    last = results[-1]
    print(f"input: {last['rows']:,} rows, {size:.2f} GB; lists: 3 x {args.list_size:,}")
    skip = ("seconds", "floor", "compile", "peak_mib", "rows")
    outcomes = {k: v for k, v in last.items() if k not in skip}
    print(f"outcomes: {outcomes}")
    cleaning = statistics.median(r["seconds"] for r in results)
    floor_seconds = statistics.median(r["floor"] for r in results)
    print(
        f"median of {len(results)}: floor {floor_seconds:.2f} s, cleaning {cleaning:.2f} s"
        f" ({last['rows'] / cleaning:,.0f} rows/s), ratio {cleaning / floor_seconds:.2f}x"
    )
    print(f"peak memory (RSS): {max(r['peak_mib'] for r in results):.0f} MiB")


if __name__ == "__main__":
    main()

"""Benchmark: the phone normalizer on a 10M-row CSV, against polars' own read+write.

    .venv/bin/python scripts/bench_normalize.py [--rows 10000000] [--repeat 3]
        [--baseline HEAD] [--input some.csv --column phone]

Generates (once, cached under .data/bench) a file of mostly GB, US and DE mobiles in
mixed formats (E.164, spaced, 00, national, bare digits, spreadsheet floats, dashes,
brackets) with a `country` column and a few % junk, then times, each in a fresh process
and `--repeat` times (medians): polars' streaming scan_csv -> sink_csv of the file (the
floor), the baseline normalizer (app/phones/normalize.py at git revision `--baseline`)
and the current one, the current one again reading national numbers by the `country`
column, all lazy with the streaming engine and sink_csv. Prints seconds, CPU seconds,
rows/s, the ratio to the floor and peak memory (RSS), the machine's load average before
each run, and the time the current normalizer takes to compile its lookup tables (once
per process, before the pass: not in the pass's figures).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DIR = ROOT / ".data" / "bench"
RUNS = ("floor", "baseline", "current", "current_by_country")


def _digits(rng: np.random.Generator, size: int, low: int, high: int) -> pl.Series:
    return pl.Series(rng.integers(low, high, size).astype(str))


def _numbers(rng: np.random.Generator, rows: int) -> pl.DataFrame:
    """E.164 digits of GB, US and DE mobiles, with their country and national form."""
    gb = (
        "447"
        + pl.Series(rng.choice(["4", "5", "7", "8", "9"], rows))
        + _digits(rng, rows, 10**7, 10**8 - 1).str.zfill(8)
    )
    area = pl.Series(rng.choice(["201", "212", "305", "415", "646", "718", "917"], rows))
    us = "1" + area + _digits(rng, rows, 2_000_000, 9_999_999)
    de = "49" + pl.Series(rng.choice(["151", "152", "160", "170", "176"], rows))
    de = de + _digits(rng, rows, 10**7, 10**8 - 1)
    country = rng.choice(["GB", "US", "DE"], rows, p=[0.55, 0.25, 0.20])
    pick = pl.Series(country)
    e164 = pl.select(
        pl.when(pick == "GB").then(gb).when(pick == "US").then(us).otherwise(de)
    ).to_series()
    code = pl.select(
        pl.when(pick == "GB").then(pl.lit("44")).when(pick == "US").then(pl.lit("1"))
    ).to_series()
    code = code.fill_null("49")
    return pl.DataFrame({"e164": e164, "code": code, "country": pick})


def _written(frame: pl.DataFrame, rng: np.random.Generator) -> pl.Series:
    """The numbers the ways people write them (bench_cleaning's styles, and a few)."""
    e164, code = pl.col("e164"), pl.col("code")
    rest = e164.str.slice(code.str.len_chars())
    exponent = (e164.str.len_chars() - 1).cast(pl.String)
    styles = [  # (how, share)
        ("+" + e164, 0.15),
        ("+" + code + " " + rest.str.slice(0, 4) + " " + rest.str.slice(4), 0.15),
        ("00" + e164, 0.10),
        (pl.when(code == "1").then(rest).otherwise("0" + rest), 0.15),  # national
        (e164, 0.25),
        (e164.str.slice(0, 1) + "." + e164.str.slice(1) + "e+" + exponent, 0.10),  # a float
        ("+" + code + "-" + rest.str.slice(0, 3) + "-" + rest.str.slice(3), 0.09),
        ("+" + code + " (0)" + rest, 0.01),
    ]
    chosen = rng.choice(len(styles), frame.height, p=[share for _, share in styles])
    frame = frame.with_columns(style=pl.Series(chosen))
    written = pl.coalesce(
        [pl.when(pl.col("style") == index).then(how) for index, (how, _) in enumerate(styles)]
    )
    return frame.select(written).to_series()


def generate(rows: int) -> Path:
    target = BENCH_DIR / f"normalize-{rows}"
    if (target / "done").exists():
        return target / "input.csv"
    target.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(11)
    numbers = _numbers(rng, rows)
    phones = _written(numbers, rng)
    junk = pl.Series(
        rng.choice(
            ["{{phone}}", "n/a", "12345", "", "+0 000", "abc", "447400100001", "4.474e+11"],
            rows,
        )
    )
    is_junk = pl.Series(rng.random(rows) < 0.04)
    phones = pl.select(pl.when(is_junk).then(junk).otherwise(phones)).to_series()
    names = pl.Series(rng.choice(["Ann", "Bob", "Zoë", "=cmd()", "O'Neil"], rows))
    pl.DataFrame({"phone": phones, "name": names, "country": numbers["country"]}).write_csv(
        target / "input.csv"
    )
    (target / "done").touch()
    return target / "input.csv"


def _scan(path: Path) -> pl.LazyFrame:
    return pl.scan_csv(path, infer_schema=False)


def _baseline(revision: str) -> ModuleType:
    """The normalizer as it was at `revision`, imported from git."""
    source = subprocess.run(
        ["git", "show", f"{revision}:app/phones/normalize.py"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "baseline_normalize.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("baseline_normalize", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def _plan(run: str, path: Path, column: str, revision: str) -> pl.LazyFrame:
    """What the child process runs: scan, (normalize,) and then a sink."""
    frame = _scan(path)
    if run == "floor":
        return frame
    if run == "baseline":
        normalize = _baseline(revision).with_normalized
        return normalize(frame, column, "44", phone="_phone", reason="_reason")  # type: ignore[no-any-return]
    from app.phones.normalize import with_normalized

    return with_normalized(
        frame,
        column,
        "44",
        phone="_phone",
        reason="_reason",
        region="country" if run == "current_by_country" else None,
        line_type="_line_type",
    )


def measure(run: str, path: Path, column: str, revision: str) -> dict[str, float]:
    """In the child: building the plan (which compiles the lookup tables, once per
    process), then the streaming pass, with its CPU time and the peak memory."""
    started = time.perf_counter()
    plan = _plan(run, path, column, revision)
    compiled = time.perf_counter() - started
    before = resource.getrusage(resource.RUSAGE_SELF)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        plan.sink_csv(Path(folder) / "out.csv", engine="streaming")
        seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return {"seconds": seconds, "cpu": cpu, "compile": compiled, "peak_mib": after.ru_maxrss / 1024}


def _child(run: str, path: Path, column: str, revision: str) -> dict[str, float]:
    flags = ["--measure", run, "--input", str(path), "--column", column, "--baseline", revision]
    child = subprocess.run(
        [sys.executable, __file__, *flags], capture_output=True, text=True, check=True
    )
    return dict(json.loads(child.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", default="HEAD", help="git revision of the old normalizer")
    parser.add_argument("--input", type=Path, help="an existing CSV instead of the generated one")
    parser.add_argument("--column", default="phone")
    parser.add_argument("--runs", default=",".join(RUNS))
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:  # the child: only the measured work in this process
        print(json.dumps(measure(args.measure, args.input, args.column, args.baseline)))
        return
    path = args.input or generate(args.rows)
    rows = pl.scan_csv(path, infer_schema=False).select(pl.len()).collect().item()
    print(
        f"input: {path} ({rows:,} rows, {path.stat().st_size / 1e9:.2f} GB), {os.cpu_count()} CPUs"
    )
    results: dict[str, list[dict[str, float]]] = {run: [] for run in args.runs.split(",")}
    for attempt in range(args.repeat):
        for run in results:
            load = os.getloadavg()[0]
            result = _child(run, path, args.column, args.baseline)
            results[run].append(result)
            took = f"{result['seconds']:6.2f} s, cpu {result['cpu']:6.2f} s"
            print(f"  [{attempt + 1}] {run:<20} {took}  (load average {load:.2f})")
    floor = statistics.median(r["seconds"] for r in results["floor"]) if "floor" in results else 0
    print("medians:")
    for run, found in results.items():
        seconds, cpu, compiled, peak = (
            statistics.median(r[k] for r in found)
            for k in ("seconds", "cpu", "compile", "peak_mib")
        )
        ratio = f", {seconds / floor:.2f}x the floor" if floor else ""
        print(
            f"  {run:<20} {seconds:6.2f} s (cpu {cpu:.2f} s), {rows / seconds:>12,.0f} rows/s"
            f"{ratio}, {peak:,.0f} MiB peak; plan built in {compiled:.2f} s"
        )


if __name__ == "__main__":
    main()

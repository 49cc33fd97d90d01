"""Benchmark: encrypt 1M phone numbers into link tokens through the real file path.

    .venv/bin/python scripts/bench_encryption.py [--rows 1000000]

Times `app.encryption.jobs.transform` (read, normalize, AES-256-GCM per number) on a
generated file and prints tokens/s; then decrypts them all back the same way.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.encryption.crypto import PhoneCipher
from app.encryption.jobs import transform


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    cipher = PhoneCipher(os.urandom(32))
    with tempfile.TemporaryDirectory(prefix="optimizer-bench-") as folder:
        source = Path(folder) / "numbers.csv"
        numbers = pl.int_range(447_000_000_000, 447_000_000_000 + args.rows, eager=True)
        numbers.cast(pl.String).to_frame().write_csv(source, include_header=False)
        started = time.perf_counter()
        encrypted = transform(source, ",", "encrypt", cipher, "44")
        seconds = time.perf_counter() - started
        rate = args.rows / seconds
        print(f"encrypt: {args.rows:,} numbers in {seconds:.2f} s, {rate:,.0f} tokens/s")
        tokens = Path(folder) / "tokens.csv"
        encrypted.select("result").write_csv(tokens, include_header=False)
        started = time.perf_counter()
        decrypted = transform(tokens, ",", "decrypt", cipher, "44")
        seconds = time.perf_counter() - started
        assert decrypted["result"].to_list() == encrypted["original"].to_list()
        rate = args.rows / seconds
        print(f"decrypt: {args.rows:,} tokens in {seconds:.2f} s, {rate:,.0f} tokens/s")


if __name__ == "__main__":
    main()

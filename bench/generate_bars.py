#!/usr/bin/env python3
"""Deterministic synthetic daily OHLCV bars for the ETL benchmark.

One CSV per ticker (`T0001.csv`, `T0002.csv`, ...) with the header `date,open,high,low,close,volume`, one row per
NYSE session from 2005-01-03 to 2024-12-31 (the XNYS calendar of `exchange_calendars`: weekdays minus the NYSE
holidays and one-off closures, 5033 sessions).

Prices are a geometric random walk (per-ticker drift and volatility, daily log returns clipped to +-12 %) with a weak
pull toward the drift line, so 20 years stay in a realistic price range; every bar satisfies
0 < low <= open, close <= high and volume > 0, and no close-to-close move comes near 50 %.

Ticker i is generated from the seed pair (seed, i) alone, so `--tickers 20` writes exactly the first 20 files of
the full 500-ticker set. Idempotent: when the directory's manifest matches and every file is there, nothing is
written; files of tickers beyond --tickers are removed, missing ones are written.

Usage: generate_bars.py OUT_DIR [--tickers N] [--seed S] [--start YYYY-MM-DD] [--end YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time

import numpy as np

MANIFEST = ".manifest.json"
FORMAT_VERSION = 1
TICKER_FILE = re.compile(r"^T\d{4,}\.csv$")


def sessions(start: str, end: str) -> list[str]:
    """The XNYS sessions from start to end inclusive, as ISO dates."""
    import exchange_calendars as xc

    calendar = xc.get_calendar("XNYS", start=start, end=end)
    return [day.strftime("%Y-%m-%d") for day in calendar.sessions_in_range(start, end)]


def ticker_name(index: int, count: int) -> str:
    """T0001 ... (at least four digits, more when count needs them)."""
    return f"T{index:0{max(4, len(str(count)))}d}"


def generate(index: int, seed: int, n: int) -> tuple[np.ndarray, ...]:
    """OHLCV arrays (rounded to 4 decimals, volume integer) for ticker `index`."""
    rng = np.random.default_rng([seed, index])
    start_price = rng.uniform(10.0, 300.0)
    sigma = rng.uniform(0.008, 0.03)
    drift = rng.uniform(-0.0001, 0.0004)
    pull = 0.002  # fraction of the distance to the drift line closed each day
    shocks = np.clip(drift + sigma * rng.standard_normal(n), -0.12, 0.12)

    log_close = np.empty(n)
    anchor = math.log(start_price)
    level = anchor
    floor = math.log(1.0)
    for t in range(n):
        level = level + shocks[t] - pull * (level - (anchor + drift * t))
        level = max(level, floor)
        log_close[t] = level
    close = np.exp(log_close)

    previous = np.concatenate(([start_price], close[:-1]))
    gap = np.clip(0.3 * sigma * rng.standard_normal(n), -0.05, 0.05)
    open_ = previous * np.exp(gap)
    spread_up = np.abs(0.5 * sigma * rng.standard_normal(n))
    spread_down = np.abs(0.5 * sigma * rng.standard_normal(n))
    high = np.maximum(open_, close) * np.exp(spread_up)
    low = np.minimum(open_, close) * np.exp(-spread_down)

    # Rounding is monotone, so the OHLC ordering survives it.
    open_, high, low, close = (np.round(a, 4) for a in (open_, high, low, close))
    base_volume = rng.uniform(1e5, 5e6)
    volume = np.maximum(1, np.round(base_volume * np.exp(0.4 * rng.standard_normal(n)))).astype(np.int64)

    ok = (low > 0) & (low <= open_) & (low <= close) & (open_ <= high) & (close <= high)
    moves = np.abs(close[1:] / close[:-1] - 1)
    if not ok.all() or (moves >= 0.5).any():
        raise SystemExit(f"generator produced an invalid bar for ticker {index}")
    return open_, high, low, close, volume


def write_ticker(path: str, dates: list[str], arrays: tuple[np.ndarray, ...]) -> None:
    open_, high, low, close, volume = (a.tolist() for a in arrays)
    lines = ["date,open,high,low,close,volume"]
    lines.extend(
        f"{d},{o:.4f},{h:.4f},{lo:.4f},{c:.4f},{v}" for d, o, h, lo, c, v in zip(dates, open_, high, low, close, volume)
    )
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="ascii", newline="\n") as handle:
        handle.write("\n".join(lines))
        handle.write("\n")
    os.replace(temporary, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--tickers", type=int, default=500, help="number of tickers (default 500)")
    parser.add_argument("--seed", type=int, default=20050103, help="random seed (default 20050103)")
    parser.add_argument("--start", default="2005-01-03")
    parser.add_argument("--end", default="2024-12-31")
    args = parser.parse_args()
    if not 1 <= args.tickers <= 99999:
        parser.error("--tickers must be 1-99999")

    os.makedirs(args.out_dir, exist_ok=True)
    manifest_path = os.path.join(args.out_dir, MANIFEST)
    params = {"version": FORMAT_VERSION, "seed": args.seed, "start": args.start, "end": args.end}
    names = [ticker_name(i, args.tickers) for i in range(1, args.tickers + 1)]
    expected = {name + ".csv" for name in names}

    existing = set(os.listdir(args.out_dir))
    strangers = sorted(f for f in existing if f.lower().endswith(".csv") and not TICKER_FILE.match(f))
    if strangers:
        print(f"generate_bars: {args.out_dir} holds CSV files that are not ours: {strangers[:5]}", file=sys.stderr)
        return 1
    previous = None
    if MANIFEST in existing:
        with open(manifest_path, encoding="utf-8") as handle:
            previous = json.load(handle)
    same_params = previous is not None and all(previous.get(k) == v for k, v in params.items())
    extras = sorted(f for f in existing if TICKER_FILE.match(f) and f not in expected)
    missing = sorted(expected - existing) if same_params else sorted(expected)

    for name in extras:
        os.remove(os.path.join(args.out_dir, name))
    if same_params and not missing:
        print(f"generate_bars: {args.out_dir} already holds {args.tickers} tickers × {previous['sessions']} sessions"
              + (f" (removed {len(extras)} extra files)" if extras else ""))
        return 0

    if os.path.exists(manifest_path):
        os.remove(manifest_path)  # a half-written set must never look complete
    dates = sessions(args.start, args.end)
    started = time.monotonic()
    todo = set(missing)
    for index, name in enumerate(names, start=1):
        if name + ".csv" not in todo:
            continue
        write_ticker(os.path.join(args.out_dir, name + ".csv"), dates, generate(index, args.seed, len(dates)))
        if index % 50 == 0:
            print(f"generate_bars: {index}/{args.tickers}", flush=True)
    with open(manifest_path, "w", encoding="utf-8") as handle:
        json.dump({**params, "tickers": args.tickers, "sessions": len(dates), "bars": args.tickers * len(dates)}, handle)
    print(f"generate_bars: wrote {len(todo)} files ({len(todo) * len(dates)} bars, {len(dates)} sessions "
          f"{dates[0]}..{dates[-1]}) to {args.out_dir} in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

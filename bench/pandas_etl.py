#!/usr/bin/env python3
"""The original system's ETL path, done with pandas, for the throughput comparison in BENCHMARKS.md.

Per ticker file (the original's `etl_flow`, ORIGINAL.md §2.4, with the CSV standing in for the yfinance download):
  1. `pd.read_csv`, columns named as yfinance names them (Date, Open, High, Low, Close, Volume);
  2. the raw rows, with upper-cased ticker and exchange, appended to `raw_stock_prices`;
  3. `dropna` on OHLCV, sort by Date, then MA5, MA10, EMA12/26 (ewm span, adjust=False), MACD, MACD_signal,
     MACD_hist, BB_upper/middle/lower (rolling 20 mean +- 2 std, ddof=1), VOL_MA10 — plus, so the work matches the
     Swift ETL's, RSI14 (Wilder), the log return and volatility20 (rolling 20 std of log returns);
  4. `dropna()` over all columns (drops the warm-up rows, as the original did), types cast, appended to
     `stock_prices`.
Both inserts use `DataFrame.to_sql(..., if_exists="append", index=False, chunksize=...)` with the original's
default method (`method=None`: executemany, which SQLAlchemy 2 batches into multi-row INSERTs for psycopg2);
`--method multi` uses `method="multi"` instead, which is ~3x slower into PostgreSQL (SQLAlchemy compiles one
statement with a bind parameter per cell) and about the same into SQLite.

Like the original, it only appends: there is no key and no upsert, so running it twice stores every row twice.

One target per invocation:
  pandas_etl.py DATA_DIR --sqlite FILE
  pandas_etl.py DATA_DIR --postgres postgresql://user@host:port/db
Prints one JSON object (the last line): bars, raw_rows, clean_rows, tickers, seconds, bars_per_second, backend, note.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sqlite3
import sys
import time

import numpy as np
import pandas as pd

COLUMNS = {"date": "Date", "open": "Open", "high": "High", "low": "Low", "close": "Close", "volume": "Volume"}
PRICE_COLUMNS = ["Open", "High", "Low", "Close", "Volume"]
CLEAN_COLUMNS = [
    "Date", "Open", "High", "Low", "Close", "Volume",
    "MA5", "MA10", "EMA12", "EMA26", "MACD", "MACD_signal", "MACD_hist",
    "BB_upper", "BB_middle", "BB_lower", "VOL_MA10", "RSI14", "log_return", "volatility20",
    "ticker", "exchange",
]


def wilder_rsi(close: pd.Series, period: int = 14) -> pd.Series:
    """Wilder's RSI seeded with the simple mean of the first `period` changes (first value at index `period`)."""
    change = close.diff()
    gain = change.clip(lower=0)
    loss = -change.clip(upper=0)
    result = pd.Series(np.nan, index=close.index)
    if len(close) <= period:
        return result
    averages = []
    for series in (gain, loss):
        tail = series.iloc[period:].copy()
        tail.iloc[0] = series.iloc[1:period + 1].mean()
        averages.append(tail.ewm(alpha=1.0 / period, adjust=False).mean())
    average_gain, average_loss = averages
    rsi = 100 - 100 / (1 + average_gain / average_loss)
    result.iloc[period:] = rsi.where(average_loss != 0, 100.0).to_numpy()
    return result


def compute_technical_indicators(df: pd.DataFrame) -> pd.DataFrame:
    """The original's `compute_technical_indicators`, plus RSI14, log return and volatility20."""
    df = df.sort_values("Date").reset_index(drop=True)
    close = df["Close"]
    df["MA5"] = close.rolling(window=5).mean()
    df["MA10"] = close.rolling(window=10).mean()
    df["EMA12"] = close.ewm(span=12, adjust=False).mean()
    df["EMA26"] = close.ewm(span=26, adjust=False).mean()
    df["MACD"] = df["EMA12"] - df["EMA26"]
    df["MACD_signal"] = df["MACD"].ewm(span=9, adjust=False).mean()
    df["MACD_hist"] = df["MACD"] - df["MACD_signal"]
    df["BB_middle"] = close.rolling(window=20).mean()
    std = close.rolling(window=20).std()
    df["BB_upper"] = df["BB_middle"] + 2 * std
    df["BB_lower"] = df["BB_middle"] - 2 * std
    df["VOL_MA10"] = df["Volume"].rolling(window=10).mean()
    df["RSI14"] = wilder_rsi(close)
    df["log_return"] = np.log(close / close.shift(1))
    df["volatility20"] = df["log_return"].rolling(window=20).std()
    return df


def ingest(path: str, ticker: str, exchange: str, con, chunksize: int, method: str | None) -> tuple[int, int, int]:
    """One ticker: returns (rows read, raw rows inserted, clean rows inserted)."""
    df = pd.read_csv(path).rename(columns=COLUMNS)
    df["Date"] = pd.to_datetime(df["Date"])

    raw = df.copy()
    raw["ticker"] = ticker.upper()
    raw["exchange"] = exchange.upper()
    raw.to_sql("raw_stock_prices", con, if_exists="append", index=False, method=method, chunksize=chunksize)

    clean = df.dropna(subset=PRICE_COLUMNS)
    clean = compute_technical_indicators(clean).dropna()
    clean["ticker"] = ticker.upper()
    clean["exchange"] = exchange.upper()
    clean["Volume"] = clean["Volume"].astype("uint64").astype("int64")  # the original cast to UInt64
    for column in CLEAN_COLUMNS:
        if column not in ("Date", "Volume", "ticker", "exchange"):
            clean[column] = clean[column].astype("float64")
    clean = clean[CLEAN_COLUMNS]
    clean.to_sql("stock_prices", con, if_exists="append", index=False, method=method, chunksize=chunksize)
    return len(df), len(raw), len(clean)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir", help="directory of TICKER.csv files")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--sqlite", metavar="FILE", help="SQLite database file (created when missing)")
    target.add_argument("--postgres", metavar="URL", help="PostgreSQL URL (postgres:// or postgresql://)")
    parser.add_argument("--exchange", default="NYSE")
    parser.add_argument("--chunksize", type=int, default=1000,
                        help="rows per multi-row INSERT (default 1000; 22 columns × 1000 stays under SQLite's "
                             "32766 bound parameters)")
    parser.add_argument("--method", choices=["executemany", "multi"], default="executemany",
                        help="to_sql method: executemany (method=None, the original's; default) or multi "
                             "(method='multi', one multi-row INSERT per chunk)")
    parser.add_argument("--progress", action="store_true", help="print a progress line every 50 tickers (before the JSON line)")
    args = parser.parse_args()

    files = sorted(glob.glob(os.path.join(args.data_dir, "*.csv")))
    if not files:
        parser.error(f"no *.csv files in {args.data_dir}")

    started = time.monotonic()
    if args.sqlite:
        con = sqlite3.connect(args.sqlite)
        # The same durability settings as the Swift store's SQLite writer (WAL, synchronous=NORMAL).
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = NORMAL")
        backend, close = "sqlite", con.close
    else:
        from sqlalchemy import create_engine

        url = args.postgres
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                url = "postgresql+psycopg2://" + url[len(prefix):]
        engine = create_engine(url)
        con, backend, close = engine, "postgres", engine.dispose

    bars = raw_rows = clean_rows = 0
    try:
        for number, path in enumerate(files, start=1):
            ticker = os.path.basename(path)[:-4]
            method = None if args.method == "executemany" else "multi"
            read, raw, clean = ingest(path, ticker, args.exchange, con, args.chunksize, method)
            bars, raw_rows, clean_rows = bars + read, raw_rows + raw, clean_rows + clean
            if args.progress and number % 50 == 0:
                elapsed = time.monotonic() - started
                print(f"pandas_etl[{backend}]: {number}/{len(files)} tickers, {bars} bars, {elapsed:.1f} s", flush=True)
    finally:
        close()
    seconds = time.monotonic() - started
    print(json.dumps({
        "backend": backend,
        "tickers": len(files),
        "bars": bars,
        "raw_rows": raw_rows,
        "clean_rows": clean_rows,
        "seconds": round(seconds, 3),
        "bars_per_second": round(bars / seconds, 1) if seconds > 0 else None,
        "chunksize": args.chunksize,
        "method": args.method,
        "pandas": pd.__version__,
        "note": "appends only, like the original: no key, no upsert; a re-run stores every row again",
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())

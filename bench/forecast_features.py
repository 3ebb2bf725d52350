"""StockCast's model inputs computed with pandas, for the Python side of the forecasting and serving benchmarks.

Mirrors Sources/PredictionCore/Indicators/IndicatorCalculator.swift (the stored indicators, on the adjusted close)
and Sources/PredictionCore/Features/FeatureBuilder.swift (FeatureCatalog.defaultFeatures, 19 columns), so the Python
models see the same inputs as ours. bench/forecast_bench.py checks this against the feature matrix StockCastBench
writes; the differences are rounding (pandas' rolling windows are online sums, ours are summed afresh per window).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# FeatureCatalog.defaultFeatures, in order.
FEATURES = [
    "return_lag_1", "return_lag_2", "return_lag_3", "return_lag_5", "return_lag_10", "return_lag_20",
    "close_to_sma5", "close_to_sma10", "close_to_sma20", "close_to_ema12", "close_to_ema26",
    "rsi14", "macd_norm", "macd_signal_norm", "macd_hist_norm", "bollinger_pct_b",
    "volatility_20", "volume_zscore_20", "day_of_week",
]

# The stored indicator columns the features read (clean_bars in SQLite has them under these names).
INDICATORS = ["ma5", "ma10", "ema12", "ema26", "macd", "macd_signal", "macd_hist", "bb_upper", "bb_middle",
              "bb_lower", "rsi14", "volatility20"]


def load_csv(path: str) -> pd.DataFrame:
    """A `date,open,high,low,close,volume` file as a frame with `session` (datetime64), prices, volume and an
    adjustment factor of 1 (the sample files are unadjusted and come without corporate actions)."""
    frame = pd.read_csv(path)
    frame["session"] = pd.to_datetime(frame.pop("date"))
    frame["adjustment_factor"] = 1.0
    return frame


def wilder_rsi(closes: pd.Series, period: int = 14) -> pd.Series:
    """Wilder's RSI: the first average gain/loss is the simple mean of the first `period` changes (RSI from index
    `period`), then `avg = ((period − 1) × avg + x) / period` — an EWM with α = 1/period seeded with that mean."""
    change = closes.diff()
    gains = change.clip(lower=0)
    losses = (-change).clip(lower=0)
    result = pd.Series(np.nan, index=closes.index)
    if len(closes) <= period:
        return result

    def smoothed(values: pd.Series) -> pd.Series:
        seeded = values.iloc[period:].copy()
        seeded.iloc[0] = values.iloc[1:period + 1].mean()
        return seeded.ewm(alpha=1.0 / period, adjust=False).mean()

    average_gain, average_loss = smoothed(gains), smoothed(losses)
    rsi = 100 - 100 / (1 + average_gain / average_loss)
    result.iloc[period:] = np.where(average_loss == 0, 100.0, rsi)
    return result


def add_indicators(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds the stored indicators (ETL definitions) computed on the adjusted close; returns the frame."""
    close = frame["close"] * frame["adjustment_factor"]
    frame["ma5"] = close.rolling(5).mean()
    frame["ma10"] = close.rolling(10).mean()
    frame["ema12"] = close.ewm(span=12, adjust=False).mean()
    frame["ema26"] = close.ewm(span=26, adjust=False).mean()
    frame["macd"] = frame["ema12"] - frame["ema26"]
    frame["macd_signal"] = frame["macd"].ewm(span=9, adjust=False).mean()
    frame["macd_hist"] = frame["macd"] - frame["macd_signal"]
    frame["bb_middle"] = close.rolling(20).mean()
    std = close.rolling(20).std(ddof=1)
    frame["bb_upper"] = frame["bb_middle"] + 2 * std
    frame["bb_lower"] = frame["bb_middle"] - 2 * std
    frame["rsi14"] = wilder_rsi(close)
    frame["volatility20"] = np.log(close / close.shift(1)).rolling(20).std(ddof=1)
    return frame


def features(frame: pd.DataFrame) -> pd.DataFrame:
    """The 19 default features of every row (NaN where undefined), from `session`, `close`, `volume`,
    `adjustment_factor` and the stored indicator columns."""
    close = frame["close"] * frame["adjustment_factor"]
    log_return = np.log(close / close.shift(1))
    out = pd.DataFrame(index=frame.index)
    for lag in (1, 2, 3, 5, 10, 20):
        out[f"return_lag_{lag}"] = log_return.shift(lag - 1)

    def ratio(reference: pd.Series) -> pd.Series:
        return (close / reference.where(reference != 0)) - 1

    out["close_to_sma5"] = ratio(frame["ma5"])
    out["close_to_sma10"] = ratio(frame["ma10"])
    out["close_to_sma20"] = ratio(frame["bb_middle"])
    out["close_to_ema12"] = ratio(frame["ema12"])
    out["close_to_ema26"] = ratio(frame["ema26"])
    out["rsi14"] = frame["rsi14"] / 100
    out["macd_norm"] = frame["macd"] / close
    out["macd_signal_norm"] = frame["macd_signal"] / close
    out["macd_hist_norm"] = frame["macd_hist"] / close
    upper, lower = frame["bb_upper"], frame["bb_lower"]
    out["bollinger_pct_b"] = np.where(upper > lower, (close - lower) / (upper - lower), 0.5)
    out.loc[upper.isna() | lower.isna(), "bollinger_pct_b"] = np.nan
    out["volatility_20"] = frame["volatility20"]
    volume = frame["volume"].astype(float)
    mean = volume.rolling(20).mean()
    std = volume.rolling(20).std(ddof=1)
    out["volume_zscore_20"] = np.where(std > 0, (volume - mean) / std, 0.0)
    out.loc[std.isna(), "volume_zscore_20"] = np.nan
    out["day_of_week"] = pd.to_datetime(frame["session"]).dt.dayofweek.astype(float)
    return out.replace([np.inf, -np.inf], np.nan)[FEATURES]

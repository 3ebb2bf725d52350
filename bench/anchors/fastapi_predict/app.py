"""The serving benchmark's anchor: `POST /api/predict/` as the original stack would serve it, FastAPI + uvicorn,
doing the same prediction as StockCast with the same model.

- The model: the XGBoost JSON of each horizon, taken from a StockCast artifact (<data_dir>/artifacts/…, format 1),
  loaded once at start-up by the Python xgboost package (the original reloaded it on every request; caching it here
  makes the anchor stronger, not weaker).
- Per request, like ours: check the bearer key, read the instrument's last stored sessions up to the target from
  StockCast's SQLite store (as many as ours reads: 260 + the model's longest horizon; only read), take the last
  session before the target as the origin, count the sessions to the target on the
  exchange calendar (exchange_calendars), compute the 19 features with pandas (bench/forecast_features.py, the same
  definitions as FeatureBuilder.swift, from the stored indicator columns), predict the log return, turn it into a
  price and the 80 % / 95 % intervals (the artifact's half-widths), store the prediction in a SQLite table of its
  own (WAL, synchronous NORMAL, as ours), and answer with the same JSON fields.

Environment: ANCHOR_STORE (StockCast's SQLite file), ANCHOR_ARTIFACT (the artifact JSON), ANCHOR_MODEL_ID,
ANCHOR_KEY (the bearer key accepted), ANCHOR_PREDICTIONS (the anchor's own SQLite file).
Run: uvicorn app:app --app-dir bench/anchors/fastapi_predict --host 127.0.0.1 --port PORT --no-access-log
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import sqlite3
import sys
import threading
from typing import Optional

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import xgboost as xgb
from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import forecast_features as ff  # noqa: E402

STORE = os.environ["ANCHOR_STORE"]
MODEL_ID = int(os.environ["ANCHOR_MODEL_ID"])
KEY = os.environ["ANCHOR_KEY"]
PREDICTIONS = os.environ["ANCHOR_PREDICTIONS"]
CALENDARS = {"NYSE": "XNYS", "NASDAQ": "XNAS"}
# Sessions read before the target, as ForecastService.historySessions on our side (the features need at most 20
# earlier sessions next to the stored indicators); plus the model's longest horizon, as ours.
HISTORY_SESSIONS = 260
BARS_SQL = (
    "SELECT session_date AS session, close, volume, adjustment_factor, " + ", ".join(ff.INDICATORS)
    + " FROM clean_bars WHERE ticker = ? AND exchange = ? AND session_date <= ? ORDER BY session_date DESC LIMIT ?"
)


def load_artifact(path: str) -> tuple[list[xgb.Booster], list[float], list[float]]:
    with open(path, encoding="utf-8") as handle:
        artifact = json.load(handle)
    if artifact.get("format_version") != 1 or artifact.get("features") != ff.FEATURES:
        raise SystemExit(f"{path}: not a format-1 artifact with the default features")
    boosters = []
    for regressor in artifact["regressors"]:
        booster = xgb.Booster()
        booster.load_model(bytearray(regressor["xgboost"]["json"].encode("utf-8")))
        booster.set_param({"nthread": 1})
        boosters.append(booster)
    return boosters, artifact["half_widths_80"], artifact["half_widths_95"]


BOOSTERS, HALF_80, HALF_95 = load_artifact(os.environ["ANCHOR_ARTIFACT"])
CALENDAR_CACHE = {code: xcals.get_calendar(name) for code, name in CALENDARS.items()}
local = threading.local()
app = FastAPI(title="StockCast serving anchor")


def connections() -> tuple[sqlite3.Connection, sqlite3.Connection]:
    """This thread's connection to the store (only read) and read-write connection to the anchor's table."""
    if not hasattr(local, "store"):
        local.store = sqlite3.connect(STORE, timeout=30, check_same_thread=False)  # only ever read
        local.out = sqlite3.connect(PREDICTIONS, timeout=30, check_same_thread=False)
        local.out.execute("PRAGMA journal_mode = WAL")
        local.out.execute("PRAGMA synchronous = NORMAL")
        local.out.execute(
            "CREATE TABLE IF NOT EXISTS predictions (id INTEGER PRIMARY KEY AUTOINCREMENT, ticker TEXT, exchange TEXT,"
            " target_date TEXT, origin_date TEXT, horizon INTEGER, predicted_close REAL, lower_80 REAL, upper_80 REAL,"
            " lower_95 REAL, upper_95 REAL, model_id INTEGER, predicted_at TEXT)"
        )
        local.out.commit()
    return local.store, local.out


class PredictRequest(BaseModel):
    ticker: str
    exchange: str
    target_date: dt.date
    model_id: Optional[int] = None


@app.post("/api/predict/")
def predict(body: PredictRequest, authorization: Optional[str] = Header(default=None)) -> dict:
    if authorization != f"Bearer {KEY}":
        raise HTTPException(status_code=401, detail="this route needs an operator key")
    calendar = CALENDAR_CACHE.get(body.exchange)
    if calendar is None:
        raise HTTPException(status_code=404, detail=f"no calendar for {body.exchange}")
    target = pd.Timestamp(body.target_date)
    if not calendar.is_session(target):
        raise HTTPException(status_code=422, detail=f"{body.target_date} is not a session of {body.exchange}")
    store, out = connections()
    limit = HISTORY_SESSIONS + len(BOOSTERS) + 1
    frame = pd.read_sql_query(BARS_SQL, store, params=(body.ticker, body.exchange, body.target_date.isoformat(), limit))
    frame = frame.iloc[::-1].reset_index(drop=True)
    if frame.empty:
        raise HTTPException(status_code=404, detail=f"no data for {body.ticker} on {body.exchange}")
    frame["session"] = pd.to_datetime(frame["session"])
    before = np.flatnonzero(frame["session"].to_numpy() < target.to_datetime64())
    if len(before) == 0:
        raise HTTPException(status_code=422, detail=f"no stored session before {body.target_date}")
    index = int(before[-1])
    origin = frame["session"].iloc[index]
    horizon = len(calendar.sessions_in_range(origin + pd.Timedelta(days=1), target))
    if horizon > len(BOOSTERS):
        raise HTTPException(status_code=422, detail=f"{body.target_date} is {horizon} sessions ahead")
    row = ff.features(frame.iloc[: index + 1]).iloc[[-1]].to_numpy()
    if not np.isfinite(row).all():
        raise HTTPException(status_code=422, detail="a feature is undefined at the origin")
    predicted = float(BOOSTERS[horizon - 1].inplace_predict(row)[0])
    close = float(frame["close"].iloc[index] * frame["adjustment_factor"].iloc[index])
    half80, half95 = HALF_80[horizon - 1], HALF_95[horizon - 1]
    actual_rows = frame.loc[frame["session"] == target, "close"]
    actual = float(actual_rows.iloc[0]) if len(actual_rows) else None
    now = dt.datetime.now(dt.timezone.utc)
    result = {
        "ticker": body.ticker, "exchange": body.exchange, "target_date": body.target_date.isoformat(),
        "origin_date": origin.strftime("%Y-%m-%d"), "horizon": horizon,
        "predicted_close": close * math.exp(predicted),
        "lower_80": close * math.exp(predicted - half80), "upper_80": close * math.exp(predicted + half80),
        "lower_95": close * math.exp(predicted - half95), "upper_95": close * math.exp(predicted + half95),
        "actual_close": actual, "model_metadata_id": MODEL_ID, "predicted_at": now.isoformat(),
    }
    cursor = out.execute(
        "INSERT INTO predictions (ticker, exchange, target_date, origin_date, horizon, predicted_close, lower_80,"
        " upper_80, lower_95, upper_95, model_id, predicted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (body.ticker, body.exchange, result["target_date"], result["origin_date"], horizon, result["predicted_close"],
         result["lower_80"], result["upper_80"], result["lower_95"], result["upper_95"], MODEL_ID, result["predicted_at"]),
    )
    out.commit()
    result["id"] = cursor.lastrowid
    result["msg"] = (f"predicted close of {body.ticker} on {result['target_date']}: {result['predicted_close']:.2f} "
                     f"(80% interval {result['lower_80']:.2f}–{result['upper_80']:.2f})")
    return result

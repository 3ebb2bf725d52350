#!/usr/bin/env python3
"""Reference values for PredictionCoreTests' forecasting tests, computed independently with numpy and scipy.

Outputs (next to this script, read through `Fixtures.text("forecasting/...")`):

  ridge-reference.json
      A small regression problem (40 rows, 3 columns, one nearly constant, in chronological order) and, for each
      alpha, the closed-form ridge fit on standardised columns (population std, ddof 0) with an unpenalised
      intercept: beta = solve(Z'Z + alpha I, Z'(y - mean y)), intercept = mean y; the columns' means and scales.
      Also the time-ordered validation (fit on the first floor(0.8 n) rows, squared error on the rest) of each
      alpha and the alpha it selects (the first minimum in list order).

  diebold-mariano.json
      Error series of two forecasts and the Diebold-Mariano test with the Harvey-Leybourne-Newbold correction:
      d = e1^2 - e2^2, V = (g0 + 2 sum_{k=1}^{h-1} g_k) / n with g_k = (1/n) sum_{t>=k} (d_t - dbar)(d_{t-k} - dbar),
      DM = dbar / sqrt(V), DM* = DM * sqrt((n + 1 - 2h + h(h-1)/n) / n), p = 2 * scipy.stats.t.sf(|DM*|, n - 1).

  student-t.json
      scipy.stats.t.cdf(t, df) and the two-sided p-value 2 * t.sf(|t|, df) for a grid of t and df.

Usage (from the package root): python3 Sources/TestSupport/Fixtures/forecasting/generate_forecasting_fixtures.py
Last generated with numpy 2.4.6 and scipy 1.17.1 (Python 3.11).
"""

import json
import math
import pathlib

import numpy as np
from scipy import stats

HERE = pathlib.Path(__file__).resolve().parent


def ridge(x, y, alpha):
    means = x.mean(axis=0)
    scales = x.std(axis=0)  # ddof 0
    scales = np.where(scales > 1e-12, scales, 1.0)
    z = (x - means) / scales
    yc = y - y.mean()
    beta = np.linalg.solve(z.T @ z + alpha * np.eye(x.shape[1]), z.T @ yc)
    return y.mean(), beta, means, scales


def predict(model, x):
    intercept, beta, means, scales = model
    return intercept + ((x - means) / scales) @ beta


def ridge_fixture():
    rng = np.random.RandomState(7)
    n = 40
    x = np.column_stack([
        rng.normal(0.0, 0.01, n),                 # a return-like column
        rng.uniform(0.2, 0.8, n),                 # an oscillator-like column
        100.0 + rng.normal(0.0, 1e-3, n),         # large mean, tiny spread: tests the centring precision
    ])
    y = 0.002 + 0.3 * x[:, 0] - 0.01 * (x[:, 1] - 0.5) + 2.0 * (x[:, 2] - 100.0) + rng.normal(0.0, 0.004, n)
    alphas = [1e-4, 1e-2, 1.0, 10.0, 100.0, 1000.0]
    fits = []
    for alpha in alphas:
        intercept, beta, means, scales = ridge(x, y, alpha)
        fits.append({
            "alpha": alpha, "intercept": intercept, "coefficients": beta.tolist(),
            "means": means.tolist(), "scales": scales.tolist(),
        })
    split = int(math.floor(0.8 * n))
    validation = []
    for alpha in alphas:
        model = ridge(x[:split], y[:split], alpha)
        residual = y[split:] - predict(model, x[split:])
        validation.append(float(residual @ residual))
    chosen = alphas[int(np.argmin(validation))]
    return {
        "rows": x.tolist(), "targets": y.tolist(), "alphas": alphas, "fits": fits,
        "validation_split": split, "validation_sse": validation, "chosen_alpha": chosen,
    }


def diebold_mariano(e1, e2, h):
    d = e1 ** 2 - e2 ** 2
    n = len(d)
    dbar = d.mean()
    def gamma(k):
        return float(((d[k:] - dbar) * (d[:n - k] - dbar)).sum() / n)
    v = (gamma(0) + 2 * sum(gamma(k) for k in range(1, h))) / n
    dm = dbar / math.sqrt(v)
    dm_star = dm * math.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    p = 2 * stats.t.sf(abs(dm_star), n - 1)
    return dm_star, p


def dm_fixture():
    rng = np.random.RandomState(11)
    cases = []
    for n, h, shift in [(30, 1, 0.0), (60, 1, 0.15), (120, 3, 0.05), (200, 5, -0.1), (80, 10, 0.3)]:
        noise = rng.normal(0.0, 1.0, n + h)
        # MA(h-1) errors, as h-step forecast errors are.
        e2 = np.convolve(noise, np.ones(h) / h, mode="valid")[:n]
        e1 = e2 * (1.0 + shift) + rng.normal(0.0, 0.3, n)
        statistic, p = diebold_mariano(e1, e2, h)
        cases.append({"horizon": h, "errors1": e1.tolist(), "errors2": e2.tolist(),
                      "statistic": statistic, "p_value": p})
    return {"cases": cases}


def t_fixture():
    rows = []
    for df in [1, 2, 3, 5, 10, 29, 100, 1000]:
        for t in [-12.0, -4.5, -2.0, -1.0, -0.3, 0.0, 0.25, 1.0, 1.96, 2.5, 3.7, 8.0, 25.0]:
            rows.append({"t": t, "df": df, "cdf": float(stats.t.cdf(t, df)),
                         "two_sided_p": float(2 * stats.t.sf(abs(t), df))})
    return {"values": rows}


def write(name, payload):
    (HERE / name).write_text(json.dumps(payload, indent=1) + "\n")


if __name__ == "__main__":
    write("ridge-reference.json", ridge_fixture())
    write("diebold-mariano.json", dm_fixture())
    write("student-t.json", t_fixture())

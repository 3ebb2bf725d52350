// Feature names the model registration accepts, grouped for the form. `GET /api/models/features` lists the same names;
// AppTests/WebAssetsTests checks that these groups hold exactly the server's feature catalog, no more, no less.

/** Scale-free features computed from bars up to the forecast origin, grouped for the form. */
export const FEATURE_GROUPS = [
  ['Lagged returns', ['return_lag_1', 'return_lag_2', 'return_lag_3', 'return_lag_5', 'return_lag_10', 'return_lag_20']],
  ['Trend', ['close_to_sma5', 'close_to_sma10', 'close_to_sma20', 'close_to_ema12', 'close_to_ema26']],
  ['Momentum', ['rsi14', 'macd_norm', 'macd_signal_norm', 'macd_hist_norm']],
  ['Bands & volatility', ['bollinger_pct_b', 'close_to_bb_upper', 'close_to_bb_lower', 'volatility_20']],
  ['Volume & candle', ['volume_zscore_20', 'volume_to_ma10', 'open_to_close', 'high_to_close', 'low_to_close']],
  ['Calendar', ['day_of_week']],
];

/** The original system's names, accepted and mapped to scale-free versions by the server. */
export const LEGACY_FEATURES = ['Open', 'High', 'Low', 'Close', 'Volume', 'MA5', 'MA10', 'EMA12', 'EMA26', 'MACD', 'MACD_signal',
  'MACD_hist', 'BB_upper', 'BB_middle', 'BB_lower', 'VOL_MA10', 'RSI', 'RSI14', 'log_return', 'volatility20'];

/**
 * Hyper-parameters shown per model type: [name, label, default, {min, max, step}]. Defaults and ranges are the server's
 * (AppTests/WebAssetsTests checks them against HyperParameters(for:) and the registration's validation); the form sends
 * only the fields filled in, and the server keeps the model type's default for the rest.
 */
export const HYPER_PARAMETERS = {
  common: [
    ['max_horizon', 'Max horizon (sessions)', 30, { min: 1, max: 30, step: 1 }],
    ['refit_every', 'Refit every (sessions)', 20, { min: 1, max: 500, step: 1 }],
    ['seed', 'Seed', 42, { min: 0, step: 1 }],
  ],
  naive: [],
  drift: [],
  linear_regression: [['ridge_alphas', 'Ridge penalties (comma list)', '0.0001, 0.001, 0.01, 0.1, 1, 10, 100, 1000', null]],
  xgboost: [
    ['n_estimators', 'Trees', 100, { min: 1, max: 2000, step: 1 }],
    ['max_depth', 'Max depth', 6, { min: 1, max: 16, step: 1 }],
    ['learning_rate', 'Learning rate', 0.1, { min: 0.001, max: 1, step: 0.001 }],
    ['subsample', 'Subsample', 1, { min: 0.1, max: 1, step: 0.05 }],
    ['colsample_bynode', 'Columns per node', 1, { min: 0.1, max: 1, step: 0.05 }],
  ],
  random_forest: [
    ['n_estimators', 'Trees', 100, { min: 1, max: 2000, step: 1 }],
    ['max_depth', 'Max depth', 8, { min: 1, max: 16, step: 1 }],
    ['subsample', 'Subsample', 0.8, { min: 0.1, max: 1, step: 0.05 }],
    ['colsample_bynode', 'Columns per node', 0.8, { min: 0.1, max: 1, step: 0.05 }],
  ],
};

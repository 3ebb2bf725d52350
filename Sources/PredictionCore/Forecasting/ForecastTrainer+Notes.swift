extension ForecastTrainer {
    /// The report's plain-language notes: how the evaluation was done and what was ignored.
    static func notes(
        result: BacktestResult, modelType: ModelType, parameters: HyperParameters, valSize: Double,
        shuffleRequested: Bool, artifact: ModelArtifact, extrapolated: Int?
    ) -> [String] {
        let window = result.window
        var notes: [String] = []
        if shuffleRequested {
            notes.append("shuffle=true is ignored: time series are evaluated in time order")
        }
        notes.append(
            "walk-forward backtest in time order: the last \(Self.percent(valSize)) of the \(window.usableRows) usable sessions "
                + "(\(window.testOrigins) forecast origins, \(window.testStart) … \(window.testEnd)) were forecast with an "
                + "expanding training window refitted every \(parameters.refitEvery) sessions (\(result.folds.count) folds); "
                + "training rows of horizon h at a refit are those whose target close is known then"
        )
        notes.append(
            "multi-day forecasts are direct: one model per horizon h = 1…\(parameters.maxHorizon), each trained on the "
                + "log return of the adjusted close over h sessions; predictions are never fed back"
        )
        notes.append(
            "metrics: RMSE, MAE and MAPE (%) on prices; MASE and Theil's U are the MAE and RMSE ratios against the naive "
                + "forecast (last close) on the same points; directional accuracy must be read next to up_rate; "
                + "dm_p_value is the Diebold–Mariano test against naive (squared log-return errors, HLN correction)"
        )
        notes.append(
            "80 % and 95 % intervals: split-conformal quantiles of the absolute backtest log-return residuals of each "
                + "horizon, made non-decreasing in h; in the backtest each point's interval used only residuals realised "
                + "before its origin (from \(ConformalInterval.minimumResiduals) of them on), so coverage_80/95 are honest"
        )
        if let extrapolated {
            notes.append(
                "horizons from \(extrapolated) on had too few backtest residuals for a conformal interval; their widths "
                    + "were extrapolated by √h"
            )
        }
        switch modelType {
        case .naive, .drift:
            notes.append(
                "\(modelType.rawValue) uses no features and no hyper-parameters except max_horizon and refit_every"
            )
        case .linearRegression:
            let alphas = artifact.regressors.compactMap { regressor -> String? in
                if case .linear(_, _, _, _, let alpha) = regressor { return "\(alpha)" }
                return nil
            }
            notes.append(
                "ridge alpha chosen per horizon from ridge_alphas by time-ordered validation (fit on the first 80 % of "
                    + "the training rows, scored on the last 20 %, then refitted on all); final alphas by horizon: "
                    + alphas.joined(separator: ", ")
            )
            notes.append("n_estimators, max_depth, learning_rate, subsample, colsample_bynode, seed and threads are not used by linear_regression")
        case .xgboost:
            notes.append("ridge_alphas is not used by xgboost")
        case .randomForest:
            notes.append("ridge_alphas and learning_rate are not used by random_forest (one round, eta 1)")
        }
        return notes
    }

    /// `0.2` → `20 %`.
    private static func percent(_ share: Double) -> String {
        let value = (share * 1000).rounded() / 10
        return value == value.rounded() ? "\(Int(value)) %" : "\(value) %"
    }
}

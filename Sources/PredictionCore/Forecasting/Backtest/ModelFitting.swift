/// How a model family is fitted for every horizon at once (direct strategy: one regressor per horizon
/// `h = 1…maxHorizon`, each trained on the targets `ln(c[t+h] / c[t])`).
public enum ModelFitting: Sendable {
    /// `ŷ = 0` for every horizon.
    case naive
    /// `ŷ = h × μ`, `μ` the mean one-session log return of the training window (`DriftEstimate`).
    case drift
    /// `RidgeFitter`; the backtest updates its sufficient statistics incrementally instead of refitting from rows.
    case ridge
    /// Any other fitter (the XGBoost bridge's `XGBoostFitter`), called once per horizon and refit.
    case regressor(any RegressorFitter)

    /// The fitting of a model type: naive, drift and ridge are built in; `xgboost` and `random_forest` need
    /// `fitter`.
    ///
    /// - Throws: `ForecastError` `.missingFitter` for xgboost / random_forest without a fitter.
    public init(modelType: ModelType, fitter: (any RegressorFitter)?) throws {
        switch modelType {
        case .naive: self = .naive
        case .drift: self = .drift
        case .linearRegression: self = .ridge
        case .xgboost, .randomForest:
            guard let fitter else {
                throw ForecastError(.missingFitter, "\(modelType.rawValue) training needs the XGBoost fitter")
            }
            self = .regressor(fitter)
        }
    }
}

/// Fits the regressors of every horizon at a given origin, keeping the ridge statistics between calls so an
/// expanding window costs only the new rows. Origins passed to `fit` must not decrease.
struct HorizonModelEngine {
    /// The supervised rows.
    let series: SupervisedSeries
    /// The model family.
    let fitting: ModelFitting
    /// Ridge alphas and the fitter's parameters.
    let parameters: HyperParameters
    /// Checked between horizons (and by the fitter between its iterations).
    let stop: StopSignal
    /// Per horizon: statistics of the first 80 % of the training rows, and of all of them (ridge only).
    private var ridgeFitting: [RidgeStatistics] = []
    private var ridgeFull: [RidgeStatistics] = []

    /// Rows a horizon needs to be trained.
    static let minimumTrainingRows = 30

    /// An engine with empty ridge statistics (shifted by the first complete row).
    init(series: SupervisedSeries, fitting: ModelFitting, parameters: HyperParameters, stop: StopSignal = .never) {
        self.stop = stop
        self.series = series
        self.fitting = fitting
        self.parameters = parameters
        if case .ridge = fitting {
            let shift = series.completeRows.isEmpty ? [Double](repeating: 0, count: series.columns)
                : Array(series.packed[0..<series.columns])
            let empty = RidgeStatistics(columns: series.columns, shift: shift)
            self.ridgeFitting = Array(repeating: empty, count: series.maxHorizon)
            self.ridgeFull = self.ridgeFitting
        }
    }

    /// Training rows of each horizon at `origin`.
    func trainingCounts(origin: Int) -> [Int] {
        (1...self.series.maxHorizon).map { self.series.trainingCount(origin: origin, horizon: $0) }
    }

    /// The drift regressors at `origin`: `μ` over the adjusted closes from the first complete row to the origin.
    func driftRegressors(origin: Int) -> [ConstantRegressor] {
        let first = self.series.completeRows.first ?? 0
        let mean = DriftEstimate.meanLogReturn(closes: self.series.closes, range: first..<(origin + 1))
        return (1...self.series.maxHorizon).map { DriftEstimate.regressor(meanLogReturn: mean, horizon: $0) }
    }

    /// One regressor per horizon (index `h − 1`), trained on the complete rows `t` with `t + h ≤ origin`.
    ///
    /// - Throws: `ForecastError` `.insufficientData` when a horizon has fewer than `minimumTrainingRows` rows, or
    ///   the fitter's error.
    mutating func fit(origin: Int) throws -> [any HorizonRegressor] {
        let counts = self.trainingCounts(origin: origin)
        if let short = counts.firstIndex(where: { $0 < Self.minimumTrainingRows }) {
            throw ForecastError(
                .insufficientData,
                "horizon \(short + 1) has \(counts[short]) training rows at \(self.series.sessions[origin]); at least \(Self.minimumTrainingRows) are needed"
            )
        }
        switch self.fitting {
        case .naive:
            return counts.map { _ in ConstantRegressor(value: 0) }
        case .drift:
            return self.driftRegressors(origin: origin)
        case .ridge:
            try RidgeFitter.validate(alphas: self.parameters.ridgeAlphas)
            let series = self.series
            var models: [any HorizonRegressor] = []
            models.reserveCapacity(counts.count)
            for (index, count) in counts.enumerated() {
                try self.stop.check("before the horizon-\(index + 1) fit")
                Self.advance(&self.ridgeFitting[index], to: RidgeSolver.fittingCount(of: count), in: series, horizon: index + 1)
                Self.advance(&self.ridgeFull[index], to: count, in: series, horizon: index + 1)
                models.append(
                    try RidgeSolver.fitChoosingAlpha(
                        fitting: self.ridgeFitting[index], full: self.ridgeFull[index], alphas: self.parameters.ridgeAlphas
                    )
                )
            }
            return models
        case .regressor(let fitter):
            let columns = self.series.columns
            let stop = self.stop
            return try counts.enumerated().map { index, count in
                try stop.check("before the horizon-\(index + 1) fit")
                return try fitter.fit(
                    rows: Array(self.series.packed[0..<(count * columns)]), columns: columns,
                    targets: Array(self.series.targets[index][0..<count]), parameters: self.parameters, stop: stop
                )
            }
        }
    }

    /// Adds packed rows to `statistics` until it holds `count` of them.
    private static func advance(
        _ statistics: inout RidgeStatistics, to count: Int, in series: SupervisedSeries, horizon: Int
    ) {
        let columns = series.columns
        while statistics.count < count {
            let k = statistics.count
            statistics.add(series.packed, offset: k * columns, target: series.targets[horizon - 1][k])
        }
    }
}

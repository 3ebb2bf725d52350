extension AnomalyDetector {
    /// Thresholds (`alerts.*`). Each is stated where it is used in `AnomalyDetector`.
    public struct Configuration: Sendable {
        /// `return_drift` is raised when a two-sample Kolmogorov–Smirnov test of the last `driftWindow` log returns
        /// against the training window's log returns gives a p-value below this.
        public var driftPValue = 0.001
        /// Recent sessions compared with the training window.
        public var driftWindow = 60
        /// Rolling MAE of the model / MAE of naive above which `forecast_error` is raised.
        public var errorRatioThreshold = 1.5
        /// 95 % interval coverage below which `low_coverage` is raised.
        public var coverageFloor = 0.7
        /// Closed sessions missing before `stale_data` is raised.
        public var staleSessions = 2
        /// Share of 5xx responses over a metrics interval above which `error_rate` is raised.
        public var errorRateThreshold = 0.05
        /// p99 HTTP latency above which `latency` is raised.
        public var p99LatencyMilliseconds = 1000.0
        public init() {}
    }
}

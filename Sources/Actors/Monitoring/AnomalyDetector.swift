import Foundation
import Logging
import Metrics
import PredictionCore
import Storage

/// Raises, de-duplicates and resolves alerts (replaces the original's Evidently rule, which fired on every message).
///
/// Every check looks at returns, errors or service levels — never raw prices — and ends in `settle`: a condition that
/// holds raises the alert once (stored, published on `stock_alerts`), later checks while it lasts only refresh the
/// stored alert, and the first check that finds it gone resolves it (published again, `state: resolved`).
///
/// | kind | condition (thresholds in `Configuration`, `alerts.*`) |
/// |---|---|
/// | `return_drift` | two-sample KS test of the last `driftWindow` log returns vs the champion's training window (or all earlier sessions without a champion): p < `driftPValue` |
/// | `forecast_error` | over the last 20 scored predictions (at least 10): MAE of the model > `errorRatioThreshold` × MAE of naive from the same origins |
/// | `low_coverage` | same window: share inside the 95 % interval < `coverageFloor` |
/// | `stale_data` | a tracked ticker with a live source (yahoo, stooq) is `staleSessions` or more closed sessions behind the calendar |
/// | `error_rate` | over one metrics interval with at least 20 requests: 5xx share > `errorRateThreshold` |
/// | `latency` | same interval: p99 > `p99LatencyMilliseconds` |
public actor AnomalyDetector {
    /// Fewest scored predictions before forecast quality is judged.
    static let minimumScored = 10
    /// Fewest requests in an interval before service levels are judged.
    static let minimumRequests = 20.0

    private let alerts: any AlertStore
    private let prices: any PriceStore
    private let models: any ModelStore
    private let bus: any EventBus
    private let instance: String
    private let configuration: Configuration
    private let logger: Logger
    private let now: @Sendable () -> Date

    public init(
        alerts: any AlertStore, prices: any PriceStore, models: any ModelStore, bus: any EventBus, instance: String, configuration: Configuration = .init(), logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.alerts = alerts
        self.prices = prices
        self.models = models
        self.bus = bus
        self.instance = instance
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    // MARK: Checks

    /// Return drift of `instrument` after new bars arrived.
    public func checkDrift(_ instrument: InstrumentKey) async {
        do {
            let bars = try await self.prices.cleanBars(for: instrument, from: nil, through: nil, after: nil, limit: 1_000_000)
            let champion = try await self.champion(of: instrument)
            let window = self.configuration.driftWindow
            let returns = bars.compactMap { bar in bar.indicators.logReturn.map { (bar.session, $0) } }.filter { $0.1.isFinite }
            guard returns.count > window else { return }
            let recent = returns.suffix(window)
            let recentStart = recent.first!.0
            let reference = returns.filter { date, _ in
                guard date < recentStart else { return false }
                guard let start = champion?.dataStart, let end = champion?.dataEnd else { return true }
                return (start...end).contains(date)
            }.map(\.1)
            guard reference.count >= 2 * window, let result = KolmogorovSmirnov.test(recent.map(\.1), against: reference) else { return }
            let ticker = instrument.ticker.rawValue
            Gauge(label: "return_drift_ks_statistic", dimensions: [("ticker", ticker)]).record(result.statistic)
            Gauge(label: "return_drift_p_value", dimensions: [("ticker", ticker)]).record(result.pValue)
            let holds = result.pValue < self.configuration.driftPValue
            let basis = champion.map { "the training window of model \($0.id) (v\($0.version))" } ?? "all earlier sessions"
            let (recentMean, recentSD) = Self.meanAndSD(recent.map(\.1))
            let (referenceMean, referenceSD) = Self.meanAndSD(reference)
            await self.settle(
                .returnDrift, instrument: instrument, targetDate: recent.last?.0, holds: holds,
                messages: [
                    "Return distribution drift: KS D=\(Self.format(result.statistic)), p=\(String(format: "%.2g", result.pValue)) for the last \(window) sessions vs \(reference.count) sessions of \(basis)",
                    "mean daily log return \(Self.percent(recentMean)) vs \(Self.percent(referenceMean)); volatility \(Self.percent(recentSD)) vs \(Self.percent(referenceSD))",
                ],
                details: [
                    "statistic": result.statistic, "p_value": result.pValue, "threshold": self.configuration.driftPValue,
                    "window": Double(window), "reference_sessions": Double(reference.count), "recent_mean": recentMean,
                    "recent_sd": recentSD, "reference_mean": referenceMean, "reference_sd": referenceSD,
                ]
            )
        } catch {
            self.logger.warning("drift check failed", metadata: ["instrument": "\(instrument)", "error": "\(error)"])
        }
    }

    /// Forecast error and interval coverage from the latest scored predictions of `instrument` (newest first).
    public func checkForecasts(_ instrument: InstrumentKey, scored: [PredictionRecord]) async {
        let window = scored.filter { $0.actualClose != nil }.prefix(20)
        guard window.count >= Self.minimumScored else { return }
        let scorings = window.map { PredictionScoring($0, actual: $0.actualClose!) }
        let modelError = scorings.map(\.absPctError).reduce(0, +) / Double(scorings.count)
        let naiveError = scorings.map(\.naiveAbsPctError).reduce(0, +) / Double(scorings.count)
        let coverage95 = Double(scorings.filter(\.inside95).count) / Double(scorings.count)
        let latest = window.map(\.targetDate).max()
        if naiveError > 0 {
            let ratio = modelError / naiveError
            await self.settle(
                .forecastError, instrument: instrument, targetDate: latest, holds: ratio > self.configuration.errorRatioThreshold,
                messages: [
                    "Forecast error \(Self.format(ratio))× naive over the last \(scorings.count) scored predictions (MAPE \(Self.percent(modelError)) vs \(Self.percent(naiveError)))"
                ],
                details: ["ratio": ratio, "threshold": self.configuration.errorRatioThreshold, "mape": modelError, "naive_mape": naiveError, "scored": Double(scorings.count)]
            )
        }
        await self.settle(
            .lowCoverage, instrument: instrument, targetDate: latest, holds: coverage95 < self.configuration.coverageFloor,
            messages: [
                "95% interval coverage \(Self.percent(coverage95)) over the last \(scorings.count) scored predictions (floor \(Self.percent(self.configuration.coverageFloor)))"
            ],
            details: ["coverage_95": coverage95, "floor": self.configuration.coverageFloor, "scored": Double(scorings.count)]
        )
    }

    /// Stale data of a tracked ticker: `sessionsBehind` closed sessions are missing after `lastSession`; with nothing
    /// stored (`lastSession` nil) it is stale once the ticker has been tracked for 36 hours (a daily run was due).
    public func checkFreshness(_ ticker: TrackedTicker, lastSession: SessionDate?, sessionsBehind: Int) async {
        guard Self.isLiveSource(ticker.source) else { return }
        let holds: Bool
        let message: String
        if let lastSession {
            holds = sessionsBehind >= self.configuration.staleSessions
            message = "No new data: \(sessionsBehind) closed session(s) missing after \(lastSession) (source \(ticker.source))"
        } else {
            holds = self.now().timeIntervalSince(ticker.addedAt) > 36 * 3600
            message = "No data stored since the ticker was tracked on \(ticker.addedAt.formatted(.iso8601.year().month().day())) (source \(ticker.source))"
        }
        await self.settle(
            .staleData, instrument: ticker.instrument, targetDate: lastSession, holds: holds, messages: [message],
            details: ["sessions_behind": Double(lastSession == nil ? -1 : sessionsBehind), "threshold": Double(self.configuration.staleSessions)]
        )
    }

    /// Service levels over one metrics interval of this instance.
    public func checkService(requests: Double, serverErrors: Double, p99Seconds: Double?) async {
        guard requests >= Self.minimumRequests else { return }
        let rate = serverErrors / requests
        await self.settle(
            .errorRate, instrument: nil, targetDate: nil, holds: rate > self.configuration.errorRateThreshold,
            messages: ["HTTP 5xx rate \(Self.percent(rate)) of \(Int(requests)) requests on \(self.instance) (threshold \(Self.percent(self.configuration.errorRateThreshold)))"],
            details: ["error_rate": rate, "requests": requests, "threshold": self.configuration.errorRateThreshold]
        )
        if let p99Seconds {
            let milliseconds = p99Seconds * 1000
            await self.settle(
                .latency, instrument: nil, targetDate: nil, holds: milliseconds > self.configuration.p99LatencyMilliseconds,
                messages: ["HTTP p99 latency \(Int(milliseconds)) ms on \(self.instance) (threshold \(Int(self.configuration.p99LatencyMilliseconds)) ms)"],
                details: ["p99_ms": milliseconds, "requests": requests, "threshold_ms": self.configuration.p99LatencyMilliseconds]
            )
        }
    }

    /// Sets `alerts_active{kind}` from the store (at start and after changes).
    public func refreshActiveGauges() async {
        guard let active = try? await self.alerts.activeAlerts(limit: 10_000) else { return }
        let counts = Dictionary(grouping: active, by: \.kind).mapValues(\.count)
        for kind in AlertKind.known {
            Gauge(label: "alerts_active", dimensions: [("kind", kind.rawValue)]).record(counts[kind] ?? 0)
        }
    }

    // MARK: Raising and resolving

    private func settle(
        _ kind: AlertKind, instrument: InstrumentKey?, targetDate: SessionDate?, holds: Bool, messages: [String], details: [String: Double]
    ) async {
        do {
            if holds {
                let detailsJSON = String(decoding: try JSONEncoder.sorted.encode(details), as: UTF8.self)
                let (alert, isNew) = try await self.alerts.raiseAlert(
                    NewAlert(kind: kind, instrument: instrument, targetDate: targetDate, messages: messages, details: detailsJSON, instance: self.instance, at: self.now())
                )
                guard isNew else { return }
                Counter(label: "alerts_raised_total", dimensions: [("kind", kind.rawValue)]).increment()
                self.logger.warning("alert raised", metadata: ["kind": "\(kind.rawValue)", "instrument": "\(instrument.map { "\($0)" } ?? "-")", "message": "\(messages.first ?? "")"])
                self.bus.publish(BusEvent(AlertEvent(alert), origin: self.instance))
            } else {
                guard let resolved = try await self.alerts.resolveAlert(kind: kind, instrument: instrument, instance: self.instance, at: self.now()) else { return }
                self.logger.notice("alert resolved", metadata: ["kind": "\(kind.rawValue)", "instrument": "\(instrument.map { "\($0)" } ?? "-")"])
                self.bus.publish(BusEvent(AlertEvent(resolved), origin: self.instance))
            }
            await self.refreshActiveGauges()
        } catch {
            self.logger.error("alert could not be stored", metadata: ["kind": "\(kind.rawValue)", "error": "\(error)"])
        }
    }

    private func champion(of instrument: InstrumentKey) async throws -> ModelRecord? {
        guard let id = try await self.models.aliases(of: instrument)[.champion] else { return nil }
        return try await self.models.model(id: id)
    }

    static func isLiveSource(_ source: String) -> Bool {
        source == "yahoo" || source == "stooq"
    }

    static func meanAndSD(_ values: [Double]) -> (Double, Double) {
        guard values.count > 1 else { return (values.first ?? 0, 0) }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return (mean, variance.squareRoot())
    }

    static func format(_ value: Double) -> String { String(format: "%.2f", value) }
    static func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }
}

extension AlertKind {
    /// The kinds this server raises.
    static let known: [AlertKind] = [.returnDrift, .forecastError, .lowCoverage, .staleData, .errorRate, .latency]
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

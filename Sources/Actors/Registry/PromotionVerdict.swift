import Foundation
import PredictionCore

/// The promotion gate's verdict with the numbers it used. The loss is the **mean MASE over every horizon the model
/// serves** (h = 1 … max_horizon; MASE = MAE ÷ the naive forecast's MAE on the same walk-forward points): a model is
/// promoted only when that mean is below the configured bound (1.0 = it beats naive), below drift's mean on the same
/// points (unless the model is drift), and below the current champion's mean over the horizons both serve. Significance
/// (Diebold–Mariano against naive) is reported per horizon and called "not significant" whenever p ≥ 0.05; it does not
/// block. Stored with the alias move so the audit log shows why.
public struct PromotionVerdict: Hashable, Sendable, Codable {
    /// One horizon's numbers.
    public struct Horizon: Hashable, Sendable, Codable {
        public var horizon: Int
        public var mase: Double?
        public var driftMASE: Double?
        public var championMASE: Double?
        public var theilU: Double?
        public var dmPValue: Double?
        /// DM p < 0.05 against naive.
        public var significant: Bool

        private enum CodingKeys: String, CodingKey {
            case horizon, mase, significant
            case driftMASE = "drift_mase"
            case championMASE = "champion_mase"
            case theilU = "theil_u"
            case dmPValue = "dm_p_value"
        }
    }

    /// Whether the model passes.
    public var passed: Bool
    /// The rule, e.g. "mean MASE(h=1…10) < 1.0, < drift's, < champion 7's".
    public var rule: String
    /// Why it failed, one reason per broken condition (empty when it passed).
    public var reasons: [String] = []
    /// Mean MASE over h = 1 … max_horizon, and drift's and the champion's on their points.
    public var meanMASE: Double?
    public var driftMeanMASE: Double?
    public var championMeanMASE: Double?
    /// The champion compared with, when there is one.
    public var championID: Int64?
    /// Per-horizon results.
    public var horizons: [Horizon] = []
    /// "significant at h = …" or "not significant (DM p ≥ 0.05 against naive at every horizon)".
    public var significance: String = ""
    /// MASE at h = 1, when the backtest has it.
    public var mase: Double?
    /// Theil's U at h = 1.
    public var theilU: Double?
    /// RMSE of the price forecast at h = 1.
    public var rmse: Double?
    /// Directional accuracy at h = 1 and the up-rate it compares with.
    public var directionalAccuracy: Double?
    public var upRate: Double?
    /// Diebold–Mariano p-value against naive at h = 1.
    public var dmPValue: Double?

    private enum CodingKeys: String, CodingKey {
        case passed, rule, reasons, horizons, significance, mase, rmse
        case meanMASE = "mean_mase"
        case driftMeanMASE = "drift_mean_mase"
        case championMeanMASE = "champion_mean_mase"
        case championID = "champion_model_id"
        case theilU = "theil_u"
        case directionalAccuracy = "directional_accuracy"
        case upRate = "up_rate"
        case dmPValue = "dm_p_value"
    }

    /// One line for messages and the audit log.
    public var summary: String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "n/a" }
        var text = "\(self.rule): mean MASE \(f(self.meanMASE)) (drift \(f(self.driftMeanMASE))"
        if self.championID != nil { text += ", champion \(f(self.championMeanMASE))" }
        text += "); at h=1 MASE \(f(self.mase)), Theil's U \(f(self.theilU)), directional accuracy \(f(self.directionalAccuracy)) vs up-rate "
        text += "\(f(self.upRate)), DM p \(f(self.dmPValue)); \(self.significance) → \(self.passed ? "passed" : "failed")"
        if !self.reasons.isEmpty { text += " (" + self.reasons.joined(separator: "; ") + ")" }
        return text
    }

    /// The verdict as JSON (the audit log's metric snapshot).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Evaluates a stored backtest report (`BacktestReport` JSON) against the rule above; `champion` is the current
    /// champion's id and report, when the instrument has one.
    public static func evaluate(metricsJSON: String, maxMASE: Double, champion: (id: Int64, metricsJSON: String)? = nil) -> PromotionVerdict {
        guard let report = try? JSONDecoder().decode(BacktestReport.self, from: Data(metricsJSON.utf8)),
            let h1 = report.modelMetrics(horizon: 1)
        else {
            return PromotionVerdict(passed: false, rule: "mean MASE < \(maxMASE) (no backtest metrics)")
        }
        let championReport = champion.flatMap { try? JSONDecoder().decode(BacktestReport.self, from: Data($0.metricsJSON.utf8)) }
        let served = report.model.map(\.horizon).sorted()
        let compareDrift = report.modelType != .drift
        var rule = "mean MASE(h=\(served.first ?? 1)…\(served.last ?? 1)) < \(maxMASE)"
        if compareDrift { rule += ", < drift's" }
        if let champion { rule += ", < champion \(champion.id)'s" }

        var verdict = PromotionVerdict(passed: false, rule: rule)
        verdict.championID = champion?.id
        verdict.mase = h1.mase
        verdict.theilU = h1.theilU
        verdict.rmse = h1.rmse
        verdict.directionalAccuracy = h1.directionalAccuracy
        verdict.upRate = h1.upRate
        verdict.dmPValue = h1.dmPValue
        verdict.horizons = served.map { h in
            let model = report.model.first { $0.horizon == h }
            return Horizon(
                horizon: h, mase: model?.mase, driftMASE: report.drift.first { $0.horizon == h }?.mase,
                championMASE: championReport?.model.first { $0.horizon == h }?.mase, theilU: model?.theilU, dmPValue: model?.dmPValue,
                significant: (model?.dmPValue).map { $0 < 0.05 } ?? false)
        }
        verdict.meanMASE = Self.mean(verdict.horizons.map(\.mase))
        verdict.driftMeanMASE = Self.mean(verdict.horizons.map(\.driftMASE))
        let common = verdict.horizons.filter { $0.championMASE != nil }
        verdict.championMeanMASE = Self.mean(common.map(\.championMASE))
        let significant = verdict.horizons.filter(\.significant).map(\.horizon)
        verdict.significance = significant.isEmpty
            ? "not significant (DM p ≥ 0.05 against naive at every horizon)"
            : "significant at h = \(significant.map(String.init).joined(separator: ", ")) (DM p < 0.05 against naive); not significant elsewhere"

        var reasons: [String] = []
        if let mean = verdict.meanMASE {
            if !(mean < maxMASE) { reasons.append(String(format: "mean MASE %.4f is not below %g (naive)", mean, maxMASE)) }
            if compareDrift, let drift = verdict.driftMeanMASE, !(mean < drift) {
                reasons.append(String(format: "mean MASE %.4f is not below drift's %.4f", mean, drift))
            }
            if let champion, let championMean = verdict.championMeanMASE {
                let challengerMean = Self.mean(common.map(\.mase)) ?? mean
                if !(challengerMean < championMean) {
                    reasons.append(String(format: "mean MASE %.4f is not below champion %lld's %.4f over the horizons both serve", challengerMean, champion.id, championMean))
                }
            }
        } else {
            reasons.append("a horizon has no MASE (naive is exact there)")
        }
        verdict.reasons = reasons
        verdict.passed = reasons.isEmpty
        return verdict
    }

    /// The mean of the values, `nil` when any is missing or not finite.
    private static func mean(_ values: [Double?]) -> Double? {
        let known = values.compactMap { $0 }.filter(\.isFinite)
        guard !known.isEmpty, known.count == values.count else { return nil }
        return known.reduce(0, +) / Double(known.count)
    }

    init(passed: Bool, rule: String) {
        self.passed = passed
        self.rule = rule
    }
}

import Foundation
import PredictionCore

/// The promotion gate's verdict with the numbers it used: a model is promoted to champion only when its walk-forward
/// MASE at h = 1 (MAE relative to the naive forecast on the same test points) is below the configured bound (1.0 =
/// it beats naive). Stored with the alias move so the audit log shows why.
public struct PromotionVerdict: Hashable, Sendable, Codable {
    /// Whether the model passes.
    public var passed: Bool
    /// The rule, e.g. "MASE(h=1) < 1.0".
    public var rule: String
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
        case passed, rule, mase, rmse
        case theilU = "theil_u"
        case directionalAccuracy = "directional_accuracy"
        case upRate = "up_rate"
        case dmPValue = "dm_p_value"
    }

    /// One line for messages and the audit log.
    public var summary: String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "n/a" }
        return "\(self.rule): MASE \(f(self.mase)), Theil's U \(f(self.theilU)), directional accuracy \(f(self.directionalAccuracy)) vs up-rate \(f(self.upRate)), DM p \(f(self.dmPValue)) → \(self.passed ? "passed" : "failed")"
    }

    /// The verdict as JSON (the audit log's metric snapshot).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Evaluates a stored backtest report (`BacktestReport` JSON) against `MASE(h=1) < maxMASE`.
    public static func evaluate(metricsJSON: String, maxMASE: Double) -> PromotionVerdict {
        let rule = "MASE(h=1) < \(maxMASE)"
        guard let report = try? JSONDecoder().decode(BacktestReport.self, from: Data(metricsJSON.utf8)),
            let h1 = report.modelMetrics(horizon: 1)
        else {
            return PromotionVerdict(passed: false, rule: rule + " (no backtest metrics)")
        }
        let passed = h1.mase.map { $0.isFinite && $0 < maxMASE } ?? false
        return PromotionVerdict(
            passed: passed, rule: rule, mase: h1.mase, theilU: h1.theilU, rmse: h1.rmse, directionalAccuracy: h1.directionalAccuracy,
            upRate: h1.upRate, dmPValue: h1.dmPValue
        )
    }

    init(
        passed: Bool, rule: String, mase: Double? = nil, theilU: Double? = nil, rmse: Double? = nil, directionalAccuracy: Double? = nil,
        upRate: Double? = nil, dmPValue: Double? = nil
    ) {
        self.passed = passed
        self.rule = rule
        self.mase = mase
        self.theilU = theilU
        self.rmse = rmse
        self.directionalAccuracy = directionalAccuracy
        self.upRate = upRate
        self.dmPValue = dmPValue
    }
}

import Actors
import Foundation
import PredictionCore
import Testing

@Suite struct PromotionVerdictTests {
    static func report(mase: Double?) -> String {
        let m = mase.map { String($0) } ?? "null"
        return """
            {"model":[{"horizon":1,"n":100,"rmse":1.5,"mae":1.0,"mape":1.2,"mase":\(m),"theil_u":0.97,"directional_accuracy":0.55,"up_rate":0.53,
            "dm_p_value":0.04,"interval_count":80,"coverage_80":0.81,"coverage_95":0.94}],"naive":[],"drift":[],"notes":[],"model_type":"linear_regression",
            "features":["return_lag_1"],"max_horizon":1,"val_size":0.2,"refit_every":20,"fold_count":5,
            "window":{"data_start":"2010-01-04","data_end":"2012-01-03","sessions":503,"first_usable":"2010-02-02","usable_rows":480,"test_start":"2011-08-01","test_end":"2012-01-03","test_origins":100}}
            """
    }

    @Test func gatePassesOnlyBelowTheBound() {
        let good = PromotionVerdict.evaluate(metricsJSON: Self.report(mase: 0.95), maxMASE: 1)
        #expect(good.passed)
        #expect(good.mase == 0.95)
        #expect(good.theilU == 0.97)
        #expect(good.summary.contains("passed"))
        #expect(!PromotionVerdict.evaluate(metricsJSON: Self.report(mase: 1.0), maxMASE: 1).passed, "equal to naive is not better")
        #expect(!PromotionVerdict.evaluate(metricsJSON: Self.report(mase: 1.2), maxMASE: 1).passed)
        #expect(PromotionVerdict.evaluate(metricsJSON: Self.report(mase: 1.2), maxMASE: 1.5).passed, "the bound is configurable")
        #expect(!PromotionVerdict.evaluate(metricsJSON: Self.report(mase: nil), maxMASE: 1).passed, "no MASE, no promotion")
        #expect(!PromotionVerdict.evaluate(metricsJSON: "not json", maxMASE: 1).passed)
    }

    /// A report with one metrics row per horizon: the model's MASE and DM p, and drift's MASE.
    static func report(type: String = "xgboost", model: [(mase: Double, p: Double)], drift: [Double]) -> String {
        func row(_ h: Int, _ mase: Double, _ p: Double?) -> String {
            """
            {"horizon":\(h),"n":100,"rmse":1.5,"mae":1.0,"mape":1.2,"mase":\(mase),"theil_u":\(mase),"directional_accuracy":0.5,"up_rate":0.5,\
            "dm_p_value":\(p.map { String($0) } ?? "null"),"interval_count":0}
            """
        }
        let rows = model.enumerated().map { row($0.offset + 1, $0.element.mase, $0.element.p) }.joined(separator: ",")
        let driftRows = drift.enumerated().map { row($0.offset + 1, $0.element, nil) }.joined(separator: ",")
        return """
            {"model":[\(rows)],"naive":[],"drift":[\(driftRows)],"notes":[],"model_type":"\(type)","features":[],"max_horizon":\(model.count),
            "val_size":0.2,"refit_every":20,"fold_count":5,"window":{"data_start":"2010-01-04","data_end":"2012-01-03","sessions":503,
            "first_usable":"2010-02-02","usable_rows":480,"test_start":"2011-08-01","test_end":"2012-01-03","test_origins":100}}
            """
    }

    /// The cases: a model good at h = 1 but worse than naive further out is refused; drift is compared with drift
    /// only when the model is not drift itself; a challenger must beat the champion; "not significant" is said.
    @Test func theGateLooksAtEveryHorizon() {
        let shortSighted = PromotionVerdict.evaluate(
            metricsJSON: Self.report(model: [(0.95, 0.3), (1.05, 0.4), (1.10, 0.5)], drift: [1.0, 1.0, 1.0]), maxMASE: 1)
        #expect(!shortSighted.passed && shortSighted.mase == 0.95, "h = 1 alone would have passed")
        #expect(shortSighted.horizons.map(\.horizon) == [1, 2, 3])
        #expect(shortSighted.reasons.contains { $0.contains("not below 1") })
        #expect(shortSighted.summary.contains("not significant"))

        let drift = PromotionVerdict.evaluate(metricsJSON: Self.report(type: "drift", model: [(0.99, 0.3), (0.98, 0.2), (0.97, 0.04)], drift: [0.99, 0.98, 0.97]), maxMASE: 1)
        #expect(drift.passed, "drift beating naive at every horizon passes (\(drift.summary))")
        #expect(drift.significance.contains("significant at h = 3"))
        #expect(drift.horizons.map(\.significant) == [false, false, true])

        let belowDrift = Self.report(model: [(0.99, 0.3), (0.99, 0.3)], drift: [0.98, 0.97])
        let notBetterThanDrift = PromotionVerdict.evaluate(metricsJSON: belowDrift, maxMASE: 1)
        #expect(!notBetterThanDrift.passed && notBetterThanDrift.reasons.contains { $0.contains("drift") })

        let challenger = Self.report(model: [(0.95, 0.01), (0.96, 0.02)], drift: [0.99, 0.99])
        #expect(PromotionVerdict.evaluate(metricsJSON: challenger, maxMASE: 1).passed)
        let strongChampion = (id: Int64(7), metricsJSON: Self.report(model: [(0.90, 0.01), (0.92, 0.01)], drift: [0.99, 0.99]))
        let refused = PromotionVerdict.evaluate(metricsJSON: challenger, maxMASE: 1, champion: strongChampion)
        #expect(!refused.passed && refused.championID == 7 && refused.championMeanMASE == 0.91)
        #expect(refused.reasons.contains { $0.contains("champion 7") })
        let weakChampion = (id: Int64(8), metricsJSON: Self.report(model: [(0.97, 0.3), (0.98, 0.3), (0.99, 0.3)], drift: [1, 1, 1]))
        #expect(PromotionVerdict.evaluate(metricsJSON: challenger, maxMASE: 1, champion: weakChampion).passed, "compared on the horizons both serve")
        #expect(refused.json.contains("\"horizons\"") && refused.json.contains("\"champion_mean_mase\""))
    }
}

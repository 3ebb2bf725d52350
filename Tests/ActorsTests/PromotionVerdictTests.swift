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
}

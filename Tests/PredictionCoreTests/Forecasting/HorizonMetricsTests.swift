import Foundation
import PredictionCore
import Testing

@Suite struct HorizonMetricsTests {
    /// Four points worked by hand: forecasts 105, 105, 98, 204 for closes 110, 90, 100, 210 from 100, 100, 100, 200.
    static func handScored() throws -> HorizonMetrics {
        try #require(
            HorizonMetrics.score(
                horizon: 1, originCloses: [100, 100, 100, 200], actualCloses: [110, 90, 100, 210],
                predictedLogReturns: [log(1.05), log(1.05), log(0.98), log(1.02)],
                halfWidths: [(0.06, 0.2), (0.06, 0.2), (0.06, 0.2), nil]
            )
        )
    }

    @Test func metricsMatchAHandCalculation() throws {
        let m = try Self.handScored()
        #expect(m.n == 4)
        // Errors −5, 15, −2, −6; naive errors −10, 10, 0, −10.
        #expect(ForecastSeries.close(m.mae, 7, relative: 1e-12))
        #expect(ForecastSeries.close(m.rmse, (290.0 / 4).squareRoot(), relative: 1e-12))
        let percentages: [Double] = [5.0 / 110, 15.0 / 90, 2.0 / 100, 6.0 / 210]
        let mape = 100 * percentages.reduce(0, +) / 4
        #expect(ForecastSeries.close(m.mape, mape, relative: 1e-12))
        #expect(ForecastSeries.close(m.mase ?? .nan, 7 / 7.5, relative: 1e-12))
        #expect(ForecastSeries.close(m.theilU ?? .nan, (72.5 / 75).squareRoot(), relative: 1e-12))
        // Went up: yes, no, no (flat), yes. Predicted up: yes, yes, no, yes → right 3 of 4.
        #expect(m.upRate == 0.5)
        #expect(m.directionalAccuracy == 0.75)
        // Log residuals 0.047, −0.154, 0.020 against half-widths 0.06 / 0.2; the fourth point had no interval.
        #expect(m.intervalCount == 3)
        #expect(m.coverage80 == 2.0 / 3)
        #expect(m.coverage95 == 1)
        let realised = [log(1.1), log(0.9), 0, log(1.05)]
        let predicted = [log(1.05), log(1.05), log(0.98), log(1.02)]
        let expected = DieboldMariano.test(
            errors1: zip(realised, predicted).map { $0 - $1 }, errors2: realised, horizon: 1
        )?.pValue
        #expect(m.dmPValue == expected && expected != nil)
    }

    @Test func theNaiveForecastScoresOneAgainstItself() throws {
        let m = try #require(
            HorizonMetrics.score(
                horizon: 2, originCloses: [10, 11, 12], actualCloses: [11, 10, 12.5], predictedLogReturns: [0, 0, 0],
                halfWidths: [nil, nil, nil]
            )
        )
        #expect(m.mase == 1 && m.theilU == 1 && m.dmPValue == nil)
        #expect(ForecastSeries.close(m.directionalAccuracy, 1 - m.upRate, relative: 1e-12))
        #expect(m.coverage80 == nil && m.intervalCount == 0)
    }

    @Test func jsonIsSnakeCaseWithExplicitNulls() throws {
        var m = try Self.handScored()
        m.dmPValue = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(m), as: UTF8.self)
        for key in ["theil_u", "directional_accuracy", "up_rate", "coverage_80", "coverage_95", "interval_count", "mase"] {
            #expect(text.contains("\"\(key)\":"), "\(key)")
        }
        #expect(text.contains("\"dm_p_value\":null"))
        #expect(try JSONDecoder().decode(HorizonMetrics.self, from: Data(text.utf8)) == m)
    }
}

import PredictionCore
import Testing

@Suite struct ForecastStatisticsTests {
    struct TValues: Decodable {
        struct Value: Decodable {
            var t: Double
            var df: Double
            var cdf: Double
            var two_sided_p: Double
        }
        var values: [Value]
    }

    struct DMCases: Decodable {
        struct Case: Decodable {
            var horizon: Int
            var errors1: [Double]
            var errors2: [Double]
            var statistic: Double
            var p_value: Double
        }
        var cases: [Case]
    }

    @Test func studentTMatchesScipy() throws {
        let fixture = try ForecastSeries.json("student-t.json", as: TValues.self)
        #expect(fixture.values.count == 104)
        for value in fixture.values {
            let cdf = StudentT.cdf(value.t, degreesOfFreedom: value.df)
            let p = StudentT.twoSidedPValue(value.t, degreesOfFreedom: value.df)
            #expect(ForecastSeries.close(cdf, value.cdf, relative: 1e-10, absolute: 1e-15), "cdf t=\(value.t) df=\(value.df)")
            #expect(ForecastSeries.close(p, value.two_sided_p, relative: 1e-9, absolute: 1e-300), "p t=\(value.t) df=\(value.df)")
        }
    }

    @Test func dieboldMarianoMatchesTheNumpyScipyReference() throws {
        let fixture = try ForecastSeries.json("diebold-mariano.json", as: DMCases.self)
        #expect(fixture.cases.count == 5)
        for test in fixture.cases {
            let result = try #require(DieboldMariano.test(errors1: test.errors1, errors2: test.errors2, horizon: test.horizon))
            #expect(ForecastSeries.close(result.statistic, test.statistic, relative: 1e-10), "h=\(test.horizon)")
            #expect(ForecastSeries.close(result.pValue, test.p_value, relative: 1e-8), "h=\(test.horizon)")
        }
    }

    @Test func dieboldMarianoIsUndefinedForIdenticalForecasts() {
        let errors = [0.1, -0.2, 0.3, 0.05]
        #expect(DieboldMariano.test(errors1: errors, errors2: errors, horizon: 1) == nil)
        #expect(DieboldMariano.test(errors1: [0.1], errors2: [0.2], horizon: 1) == nil)
    }

    @Test func conformalHalfWidthUsesTheFiniteSampleRank() {
        let sorted = (1...20).map(Double.init)
        // ⌈21 × 0.8⌉ = 17, ⌈21 × 0.95⌉ = 20.
        #expect(ConformalInterval.halfWidth(sortedAbsoluteResiduals: sorted, coverage: 0.8) == 17)
        #expect(ConformalInterval.halfWidth(sortedAbsoluteResiduals: sorted, coverage: 0.95) == 20)
        // ⌈11 × 0.95⌉ = 11 > 10: not enough residuals.
        #expect(ConformalInterval.halfWidth(sortedAbsoluteResiduals: Array(sorted.prefix(10)), coverage: 0.95) == nil)
        #expect(ConformalInterval.halfWidth(sortedAbsoluteResiduals: [], coverage: 0.8) == nil)
    }

    @Test func theEnvelopeMakesWidthsNonDecreasing() {
        #expect(ConformalInterval.monotoneEnvelope([0.1, 0.3, 0.2, 0.5, 0.4]) == [0.1, 0.3, 0.3, 0.5, 0.5])
        #expect(ConformalInterval.monotoneEnvelope([0.2, nil]) == [0.2, nil])
    }
}

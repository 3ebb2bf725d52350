import PredictionCore
import Testing

/// Two-sample KS against scipy 1.x `ks_2samp` (values computed once, in the comments).
@Suite struct KolmogorovSmirnovTests {
    @Test func shiftedSamplesAreDifferent() throws {
        let a = (0..<50).map { 0.1 * Double($0) }
        let b = (0..<80).map { 0.1 * Double($0) + 1.5 }
        let result = try #require(KolmogorovSmirnov.test(a, against: b))
        // scipy: D = 0.5625, p = 1.64e-09 (exact), 8.85e-10 (asymptotic)
        #expect(abs(result.statistic - 0.5625) < 1e-12)
        #expect(result.pValue > 5e-10 && result.pValue < 5e-9, "p = \(result.pValue)")
    }

    @Test func sameDistributionIsNotRejected() throws {
        let a = (0..<60).map { Double(($0 * 7919) % 101) / 101 }
        let b = (0..<500).map { Double(($0 * 104_729) % 211) / 211 }
        let result = try #require(KolmogorovSmirnov.test(a, against: b))
        // scipy: D = 0.03133, p = 0.99999998
        #expect(abs(result.statistic - 0.031333333333333324) < 1e-12)
        #expect(result.pValue > 0.99)
    }

    @Test func emptyOrNonFiniteSamplesHaveNoResult() {
        #expect(KolmogorovSmirnov.test([], against: [1, 2]) == nil)
        #expect(KolmogorovSmirnov.test([1, .nan], against: [1, 2]) == nil)
    }
}

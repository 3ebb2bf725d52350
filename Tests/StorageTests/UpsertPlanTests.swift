import PredictionCore
import Testing

@testable import Storage

@Suite struct UpsertPlanTests {
    private func bar(_ day: String, close: Double, adjusted: Double? = nil) -> PriceBar {
        PriceBar(session: SessionDate(day)!, open: 1, high: 2, low: 0.5, close: close, volume: 10, sourceAdjustedClose: adjusted)
    }

    @Test func countsInsertsUpdatesAndUnchanged() throws {
        let stored = [bar("2024-01-02", close: 1), bar("2024-01-03", close: 1.5), bar("2024-01-04", close: 1.2)]
        let incoming = [bar("2024-01-03", close: 1.5), bar("2024-01-02", close: 1.25), bar("2024-01-05", close: 1)]
        let plan = try UpsertPlan(incoming: incoming, stored: stored)
        #expect(plan.counts == UpsertCounts(inserted: 1, updated: 1, unchanged: 1))
        #expect(plan.inserts.map(\.session.description) == ["2024-01-05"])
        #expect(plan.updates.map(\.session.description) == ["2024-01-02"])
    }

    @Test func comparesBitsNotValues() throws {
        let stored = [bar("2024-01-02", close: 0.3, adjusted: nil)]
        #expect(try UpsertPlan(incoming: [bar("2024-01-02", close: 0.1 + 0.2)], stored: stored).counts.updated == 1)
        #expect(try UpsertPlan(incoming: [bar("2024-01-02", close: 0.3, adjusted: 0.3)], stored: stored).counts.updated == 1)
        #expect(try UpsertPlan(incoming: [bar("2024-01-02", close: 0.3)], stored: stored).counts.unchanged == 1)
    }

    @Test func canonicalisesNegativeZeroAndOptionalNaN() throws {
        let plan = try UpsertPlan(incoming: [bar("2024-01-02", close: -0.0, adjusted: .nan)], stored: [])
        #expect(plan.rowsToWrite.first?.close.bitPattern == (0.0).bitPattern)
        #expect(plan.rowsToWrite.first?.sourceAdjustedClose == nil)
        let again = try UpsertPlan(incoming: [bar("2024-01-02", close: -0.0, adjusted: .nan)], stored: plan.rowsToWrite)
        #expect(again.counts == UpsertCounts(unchanged: 1))
        #expect(throws: StorageError.self) { try UpsertPlan(incoming: [bar("2024-01-02", close: .nan)], stored: []) }
    }

    /// Every number stored is finite: ±∞ in a required column is refused, in an optional column (an indicator, the
    /// source's adjusted close) it is stored as absent.
    @Test func infinityIsNeverStored() throws {
        #expect(throws: StorageError.self) { try UpsertPlan(incoming: [bar("2024-01-02", close: .infinity)], stored: []) }
        #expect(throws: StorageError.self) { try UpsertPlan(incoming: [bar("2024-01-02", close: -.infinity)], stored: []) }
        let plan = try UpsertPlan(incoming: [bar("2024-01-02", close: 1, adjusted: .infinity)], stored: [])
        #expect(plan.rowsToWrite.first?.sourceAdjustedClose == nil)
        var indicators = IndicatorSet()
        indicators.ma5 = .infinity
        indicators.rsi14 = 50
        let clean = CleanBar(bar: bar("2024-01-02", close: 1), adjustmentFactor: 1, indicators: indicators, flagged: false)
        let cleanPlan = try UpsertPlan(incoming: [clean], stored: [])
        #expect(cleanPlan.rowsToWrite.first?.indicators.ma5 == nil)
        #expect(cleanPlan.rowsToWrite.first?.indicators.rsi14 == 50)
        let badFactor = CleanBar(bar: bar("2024-01-02", close: 1), adjustmentFactor: .infinity, indicators: IndicatorSet(), flagged: false)
        #expect(throws: StorageError.self) { try UpsertPlan(incoming: [badFactor], stored: []) }
    }

    @Test func unsortedIncomingAndStoredRowsMerge() throws {
        let stored = [bar("2024-01-05", close: 5), bar("2024-01-02", close: 2), bar("2024-01-03", close: 3)]
        let incoming = [
            bar("2024-01-04", close: 4), bar("2024-01-03", close: 3), bar("2024-01-05", close: 1),
            bar("2024-01-01", close: 9), bar("2024-01-04", close: 4.5),
        ]
        let plan = try UpsertPlan(incoming: incoming, stored: stored)
        #expect(plan.counts == UpsertCounts(inserted: 2, updated: 1, unchanged: 1))
        #expect(plan.inserts.map(\.session.description) == ["2024-01-01", "2024-01-04"])
        #expect(plan.inserts.map(\.close) == [9, 4.5])
        #expect(plan.updates.map(\.session.description) == ["2024-01-05"])
        #expect(plan.updates.map(\.close) == [1])
    }

    @Test func lastDuplicateWinsAndCountsOnce() throws {
        let plan = try UpsertPlan(
            incoming: [bar("2024-01-02", close: 1), bar("2024-01-02", close: 2)], stored: [bar("2024-01-02", close: 2)])
        #expect(plan.counts == UpsertCounts(unchanged: 1))
        #expect(plan.rowsToWrite.isEmpty)
    }

    @Test func keyRangeSpansIncomingRows() {
        let rows = [bar("2024-03-05", close: 1), bar("2024-01-02", close: 1), bar("2024-02-01", close: 1)]
        let range = UpsertPlan<PriceBar>.keyRange(of: rows)
        #expect(range?.lowerBound == SessionDate("2024-01-02"))
        #expect(range?.upperBound == SessionDate("2024-03-05"))
        #expect(UpsertPlan<PriceBar>.keyRange(of: []) == nil)
    }

    @Test func cleanBarsCompareEveryIndicator() throws {
        let base = CleanBar(bar: bar("2024-01-02", close: 1), adjustmentFactor: 1, indicators: IndicatorSet(), flagged: false)
        for column in IndicatorSet.columnNames.indices {
            var values = [Double?](repeating: nil, count: IndicatorSet.columnNames.count)
            values[column] = 0
            var changed = base
            changed.indicators = IndicatorSet(values: values)
            #expect(try UpsertPlan(incoming: [changed], stored: [base]).counts.updated == 1, "column \(column)")
        }
    }

    @Test func sessionBoundsCombineRangeAndCursor() {
        let day = { (text: String) in SessionDate(text)! }
        let bounds = SessionBounds(from: day("2024-01-10"), through: day("2024-01-20"), after: day("2024-01-15"))
        #expect(bounds.lower == day("2024-01-16") && bounds.upper == day("2024-01-20"))
        #expect(SessionBounds(from: day("2024-01-10"), through: nil, after: day("2024-01-01")).lower == day("2024-01-10"))
        #expect(SessionBounds(from: nil, through: day("2024-01-01"), after: day("2024-01-01")).isEmpty)
        #expect(!SessionBounds(from: nil, through: nil, after: nil).isEmpty)
    }
}

@Suite struct SessionDateStorageTextTests {
    @Test func matchesDescription() {
        var date = SessionDate("1800-01-01")!
        let end = SessionDate("2200-12-31")!
        while date <= end {
            if date.storageText != date.description {
                Issue.record("\(date.description) formatted as \(date.storageText)")
                return
            }
            date = date.adding(days: 1)
        }
    }
}

import Foundation
import PredictionCore
import Storage
import Testing

extension StoreContract {
    static func rawUpsertCounts(_ store: any StockCastStore) async throws {
        let key = TestData.instrument("GOOG")
        let bars = TestData.bars(count: 60)
        #expect(try await store.upsertRawBars([], for: key, source: "csv:goog.csv", runID: 1) == UpsertCounts())
        #expect(
            try await store.upsertRawBars(bars, for: key, source: "csv:goog.csv", runID: 1)
                == UpsertCounts(inserted: 60))
        #expect(
            try await store.upsertRawBars(bars, for: key, source: "csv:goog.csv", runID: 2)
                == UpsertCounts(unchanged: 60))

        var changed = bars
        changed[17].close = changed[17].close.nextUp  // one ulp is a change
        #expect(
            try await store.upsertRawBars(changed, for: key, source: "yahoo", runID: 3)
                == UpsertCounts(updated: 1, unchanged: 59))
        changed[18].sourceAdjustedClose = changed[18].sourceAdjustedClose == nil ? 1.5 : nil
        changed[19].volume += 1
        let more = TestData.bars(count: 5, from: bars.last!.session.adding(days: 3), seed: 9)
        #expect(
            try await store.upsertRawBars(Array(changed[10..<30]) + more, for: key, source: "yahoo", runID: 4)
                == UpsertCounts(inserted: 5, updated: 2, unchanged: 18))

        let stored = try await store.rawBars(for: key)
        BitExact.expectSame(stored, changed + more)
        #expect(stored.map(\.session) == stored.map(\.session).sorted())
        #expect(try await store.rawBars(for: TestData.instrument("GOOG", "NYSE")).isEmpty)
    }

    static func rawValuesRoundTripBitExactly(_ store: any StockCastStore) async throws {
        let key = TestData.instrument("EXACT")
        let specials: [Double] = [
            0.1 + 0.2, 1e-300, Double.leastNonzeroMagnitude, Double.leastNormalMagnitude, .greatestFiniteMagnitude,
            .pi, 123_456.789_012_345_6, 1 / 3, 4_503_599_627_370_497, 2.5,
        ]
        var bars: [PriceBar] = []
        var session = TestData.day("2021-03-01")
        for (index, value) in specials.enumerated() {
            bars.append(
                PriceBar(
                    session: session, open: value, high: value.nextUp.isFinite ? value.nextUp : value, low: value.nextDown, close: value,
                    volume: index == 0 ? Int64.max : Int64(index), sourceAdjustedClose: index.isMultiple(of: 2) ? nil : value))
            session = session.adding(days: 1)
        }
        #expect(try await store.upsertRawBars(bars, for: key, source: "s", runID: 1) == UpsertCounts(inserted: bars.count))
        BitExact.expectSame(try await store.rawBars(for: key), bars)
        #expect(
            try await store.upsertRawBars(bars, for: key, source: "s", runID: 2) == UpsertCounts(unchanged: bars.count))
    }

    static func nonFiniteAndNegativeZeroAreCanonical(_ store: any StockCastStore) async throws {
        let key = TestData.instrument("ZERO")
        let day = TestData.day("2022-01-03")
        let bar = PriceBar(session: day, open: -0.0, high: 1, low: -0.0, close: 0.5, volume: 0, sourceAdjustedClose: .nan)
        #expect(try await store.upsertRawBars([bar], for: key, source: "s", runID: 1) == UpsertCounts(inserted: 1))
        let stored = try await store.rawBars(for: key)
        #expect(stored.count == 1)
        // Every number stored is finite: an infinite price is refused and changes nothing.
        let infinite = PriceBar(session: day.adding(days: 1), open: 1, high: .infinity, low: 1, close: 1, volume: 0)
        await #expect(throws: StorageError.self) { try await store.upsertRawBars([infinite], for: key, source: "s", runID: 1) }
        #expect(try await store.rawBars(for: key).count == 1)
        #expect(stored.first?.open.bitPattern == (0.0).bitPattern)
        #expect(stored.first?.sourceAdjustedClose == nil)
        // Writing the same input again changes nothing: the canonical form is what was compared.
        #expect(try await store.upsertRawBars([bar], for: key, source: "s", runID: 2) == UpsertCounts(unchanged: 1))

        var nanPrice = bar
        nanPrice.close = .nan
        await #expect(throws: StorageError.self) {
            try await store.upsertRawBars([nanPrice], for: key, source: "s", runID: 3)
        }
        BitExact.expectSame(try await store.rawBars(for: key), stored)
    }

    static func duplicateSessionsInOneBatchCountOnce(_ store: any StockCastStore) async throws {
        let key = TestData.instrument("DUP")
        let bars = TestData.bars(count: 4)
        var later = bars[1]
        later.close += 1
        let counts = try await store.upsertRawBars(bars + [later], for: key, source: "s", runID: 1)
        #expect(counts == UpsertCounts(inserted: 4))
        let stored = try await store.rawBars(for: key)
        #expect(stored.count == 4)
        #expect(stored[1].close == later.close)  // the last row of a session wins
    }

    static func realSeriesRoundTrips(_ store: any StockCastStore) async throws {
        let key = TestData.instrument("^GSPC", "US")
        let bars = try TestData.fixtureBars("gspc.csv")
        #expect(bars.count > 5000)
        #expect(
            try await store.upsertRawBars(bars, for: key, source: "csv:gspc.csv", runID: 1)
                == UpsertCounts(inserted: bars.count))
        BitExact.expectSame(try await store.rawBars(for: key), bars)
        #expect(
            try await store.upsertRawBars(bars, for: key, source: "csv:gspc.csv", runID: 2)
                == UpsertCounts(unchanged: bars.count))
    }

    static func cleanBarsRoundTrip(_ store: any StockCastStore) async throws {
        let key = TestData.instrument("CLEAN")
        let clean = TestData.cleanBars(TestData.bars(count: 40))
        #expect(clean.contains { $0.indicators.values.allSatisfy { $0 == nil } })
        #expect(clean.contains { $0.indicators.values.allSatisfy { $0 != nil } })
        #expect(try await store.upsertCleanBars(clean, for: key) == UpsertCounts(inserted: 40))
        let stored = try await store.cleanBars(for: key, from: nil, through: nil, after: nil, limit: 1000)
        BitExact.expectSame(stored, clean)
        #expect(try await store.upsertCleanBars(clean, for: key) == UpsertCounts(unchanged: 40))

        var changed = clean
        changed[0].indicators.ma5 = 1.25  // nil → value
        changed[30].indicators.rsi14 = nil  // value → nil
        changed[31].flagged.toggle()
        changed[32].adjustmentFactor = 0.5
        #expect(try await store.upsertCleanBars(changed, for: key) == UpsertCounts(updated: 4, unchanged: 36))
        BitExact.expectSame(try await store.cleanBars(for: key, from: nil, through: nil, after: nil, limit: 1000), changed)
        // Raw bars are a different table.
        #expect(try await store.rawBars(for: key).isEmpty)
    }

    static func cleanBarsPaging(_ store: any StockCastStore) async throws {
        let key = TestData.instrument("PAGE")
        let clean = TestData.cleanBars(TestData.bars(count: 30))
        _ = try await store.upsertCleanBars(clean, for: key)
        _ = try await store.upsertCleanBars(TestData.cleanBars(TestData.bars(count: 5, seed: 3)), for: TestData.instrument("OTHER"))

        var pages: [[CleanBar]] = []
        var cursor: SessionDate?
        while true {
            let page = try await store.cleanBars(for: key, from: nil, through: nil, after: cursor, limit: 7)
            if page.isEmpty { break }
            pages.append(page)
            cursor = page.last?.session
            #expect(pages.count <= 5)
            if pages.count > 5 { break }
        }
        #expect(pages.map(\.count) == [7, 7, 7, 7, 2])
        BitExact.expectSame(pages.flatMap { $0 }, clean)

        let from = clean[5].session
        let through = clean[20].session
        let window = try await store.cleanBars(for: key, from: from, through: through, after: nil, limit: 100)
        #expect(window.map(\.session) == clean[5...20].map(\.session))
        let afterCursor = try await store.cleanBars(for: key, from: from, through: through, after: clean[9].session, limit: 4)
        #expect(afterCursor.map(\.session) == clean[10...13].map(\.session))
        let cursorBeforeFrom = try await store.cleanBars(for: key, from: from, through: through, after: clean[1].session, limit: 2)
        #expect(cursorBeforeFrom.map(\.session) == clean[5...6].map(\.session))
        // A weekend `from` starts at the next stored session.
        let saturday = TestData.day("2020-01-04")
        #expect(try await store.cleanBars(for: key, from: saturday, through: nil, after: nil, limit: 1).first?.session == TestData.day("2020-01-06"))
        #expect(try await store.cleanBars(for: key, from: through, through: from, after: nil, limit: 10).isEmpty)
        #expect(try await store.cleanBars(for: key, from: nil, through: nil, after: nil, limit: 0).isEmpty)
        #expect(try await store.cleanBars(for: key, from: nil, through: nil, after: clean.last?.session, limit: 10).isEmpty)
    }

    static func datasetsSummariseCleanBars(_ store: any StockCastStore) async throws {
        #expect(try await store.datasets().isEmpty)
        let before = Date()
        let goog = TestData.instrument("GOOG")
        let googNYSE = TestData.instrument("GOOG", "NYSE")
        let index = TestData.instrument("^GSPC", "US")
        let googBars = TestData.bars(count: 20)
        _ = try await store.upsertRawBars(googBars, for: goog, source: "csv:goog.csv", runID: 1)
        _ = try await store.upsertCleanBars(TestData.cleanBars(googBars), for: goog)
        _ = try await store.upsertCleanBars(TestData.cleanBars(TestData.bars(count: 3, seed: 2)), for: googNYSE)
        _ = try await store.upsertCleanBars(TestData.cleanBars(TestData.bars(count: 8, from: TestData.day("2019-05-01"), seed: 4)), for: index)
        // Raw bars alone are not a dataset.
        _ = try await store.upsertRawBars(TestData.bars(count: 2), for: TestData.instrument("RAWONLY"), source: "s", runID: 1)
        let after = Date()

        let summaries = try await store.datasets()
        #expect(summaries.map(\.instrument) == [goog, googNYSE, index])
        let first = try #require(summaries.first)
        #expect(first.count == 20)
        #expect(first.firstSession == googBars.first?.session)
        #expect(first.lastSession == googBars.last?.session)
        #expect(first.flaggedCount == TestData.cleanBars(googBars).filter(\.flagged).count)
        #expect(first.source == "csv:goog.csv")
        #expect(first.lastUpdated >= before.addingTimeInterval(-0.001) && first.lastUpdated <= after.addingTimeInterval(0.001))
        #expect(summaries[1].source == nil)
        #expect(summaries[2].count == 8 && summaries[2].firstSession == TestData.day("2019-05-01"))

        // The summary follows later writes; an upsert that changes nothing leaves it (and lastUpdated) alone.
        let lastUpdated = first.lastUpdated
        #expect(try await store.upsertCleanBars(TestData.cleanBars(googBars), for: goog) == UpsertCounts(unchanged: 20))
        #expect(try await store.datasets().first?.lastUpdated == lastUpdated)
        var extended = TestData.cleanBars(googBars + TestData.bars(count: 5, from: TestData.day("2021-06-01"), seed: 8))
        for index in extended.indices { extended[index].flagged = index >= 20 }
        #expect(try await store.upsertCleanBars(extended, for: goog) == UpsertCounts(inserted: 5, updated: 3, unchanged: 17))
        let grown = try #require(try await store.datasets().first)
        #expect(grown.count == 25 && grown.flaggedCount == 5)
        #expect(grown.firstSession == googBars.first?.session && grown.lastSession == extended.last?.session)
        #expect(grown.lastUpdated >= lastUpdated)

        // A completed run names the source once it exists.
        let run = try await store.createRun(NewETLRun(instrument: goog, source: "yahoo", trigger: .manual))
        var completed = run
        completed.status = .completed
        try await store.updateRun(completed)
        #expect(try await store.datasets().first?.source == "yahoo")

        #expect(try await store.exchanges(listing: TickerSymbol("GOOG")!) == [ExchangeCode("NASDAQ")!, ExchangeCode("NYSE")!])
        #expect(try await store.exchanges(listing: TickerSymbol("RAWONLY")!).isEmpty)
    }

    static func corporateActionsUpsertByKind(_ store: any StockCastStore) async throws {
        let key = TestData.instrument("AAPL")
        let actions = [
            CorporateAction(session: TestData.day("2020-08-31"), kind: .split, value: 4),
            CorporateAction(session: TestData.day("2020-08-07"), kind: .dividend, value: 0.82),
            CorporateAction(session: TestData.day("2020-08-31"), kind: .dividend, value: 0.205),
        ]
        #expect(try await store.upsertCorporateActions(actions, for: key) == UpsertCounts(inserted: 3))
        #expect(try await store.upsertCorporateActions(actions, for: key) == UpsertCounts(unchanged: 3))
        var changed = actions
        changed[2].value = 0.2050000001
        #expect(
            try await store.upsertCorporateActions(changed, for: key) == UpsertCounts(updated: 1, unchanged: 2))
        let stored = try await store.corporateActions(for: key)
        #expect(stored.map(\.session) == [TestData.day("2020-08-07"), TestData.day("2020-08-31"), TestData.day("2020-08-31")])
        #expect(stored.map(\.kind) == [.dividend, .dividend, .split])
        #expect(stored.map(\.value.bitPattern) == [0.82, 0.2050000001, 4].map(\.bitPattern))
        #expect(try await store.corporateActions(for: TestData.instrument("MSFT")).isEmpty)
    }
}

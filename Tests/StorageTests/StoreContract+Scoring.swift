import Foundation
import PredictionCore
import Storage
import Testing

extension StoreContract {
    static func predictionsAreScoredOnce(_ store: any StockCastStore) async throws {
        let key = TestData.instrument("SCORE")
        let stored = try await store.insertPredictions((1...6).map { TestData.prediction(key, horizon: $0, seed: UInt64($0)) })
        let ids = stored.map(\.id)
        #expect(stored.allSatisfy { !$0.isScored && $0.actualClose == nil })
        #expect(try await store.scorePredictions([], at: TestData.instant(1)).isEmpty)

        // Scored in input order (not id order); the close bit-exact, -0.0 stored as 0.0, the time to the microsecond.
        let at = Date(timeIntervalSince1970: 1_709_900_000.123_456_7)
        let roundedAt = Date(timeIntervalSince1970: Double(1_709_900_000_123_457 as Int64) / 1_000_000)
        let firstClose = 101.123_456_789_012_34
        let first = try await store.scorePredictions(
            [PredictionScore(id: ids[1], actualClose: firstClose), PredictionScore(id: ids[0], actualClose: -0.0)], at: at)
        #expect(first == [ids[1], ids[0]])
        var expected = stored
        expected[1].actualClose = firstClose
        expected[1].scoredAt = roundedAt
        expected[0].actualClose = 0.0
        expected[0].scoredAt = roundedAt
        let read = try await store.predictions(ticker: key.ticker, before: nil, limit: 10)
        #expect(read == expected.reversed())
        #expect(read.last?.actualClose?.sign == .plus)
        #expect(read.first(where: { $0.id == ids[1] })?.actualClose?.bitPattern == firstClose.bitPattern)

        // Again: already scored ids are left as they were and not returned; unknown ids are skipped; an id given twice
        // is scored with its first close.
        let again = try await store.scorePredictions(
            [
                PredictionScore(id: ids[1], actualClose: 55), PredictionScore(id: 999_999, actualClose: 1),
                PredictionScore(id: ids[2], actualClose: 77.5), PredictionScore(id: ids[2], actualClose: 88),
            ], at: TestData.instant(50))
        #expect(again == [ids[2]])
        expected[2].actualClose = 77.5
        expected[2].scoredAt = TestData.instant(50)
        #expect(try await store.predictions(ticker: key.ticker, before: nil, limit: 10) == expected.reversed())

        // A NaN anywhere refuses the whole batch: nothing of it is scored.
        let nan = await #expect(throws: StorageError.self) {
            try await store.scorePredictions(
                [PredictionScore(id: ids[3], actualClose: 10), PredictionScore(id: ids[4], actualClose: .nan)],
                at: TestData.instant(60))
        }
        #expect(nan?.code == .invalidValue)
        #expect(try await store.predictions(ticker: key.ticker, before: nil, limit: 10) == expected.reversed())

        // A prediction inserted already scored round-trips; one with only half a score is refused.
        var prescored = TestData.prediction(key, horizon: 9, seed: 9)
        prescored.actualClose = 123.25
        prescored.scoredAt = TestData.instant(70)
        let insertedScored = try #require(try await store.insertPredictions([prescored]).first)
        #expect(try await store.predictions(ticker: key.ticker, before: nil, limit: 1) == [insertedScored])
        #expect(try await store.scorePredictions([PredictionScore(id: insertedScored.id, actualClose: 1)], at: .now).isEmpty)
        var half = TestData.prediction(key, seed: 10)
        half.actualClose = 1
        let halfError = await #expect(throws: StorageError.self) { try await store.insertPredictions([half]) }
        #expect(halfError?.code == .invalidValue)
    }

    static func concurrentScorersScoreEachPredictionOnce(_ store: any StockCastStore) async throws {
        // 8 scorers race over the same 20 predictions, each in its own order and with its own closes: every
        // prediction is scored by exactly one of them, with that scorer's close.
        let key = TestData.instrument("RACE")
        let ids = try await store.insertPredictions((1...20).map { TestData.prediction(key, horizon: $0, seed: UInt64($0)) })
            .map(\.id)
        let results = try await withThrowingTaskGroup(of: (scorer: Int, ids: [Int64]).self) { group in
            for scorer in 0..<8 {
                group.addTask {
                    let order = scorer % 2 == 0 ? ids : ids.reversed()
                    let scores = order.map { PredictionScore(id: $0, actualClose: Double(scorer * 1000) + Double($0)) }
                    return (scorer, try await store.scorePredictions(scores, at: TestData.instant(Double(scorer))))
                }
            }
            return try await group.reduce(into: [(scorer: Int, ids: [Int64])]()) { $0.append($1) }
        }
        let claimed = results.flatMap(\.ids)
        #expect(claimed.count == ids.count)
        #expect(Set(claimed) == Set(ids))
        let rows = try await store.predictions(ticker: key.ticker, before: nil, limit: 100)
        for (scorer, scored) in results {
            for id in scored {
                let row = rows.first { $0.id == id }
                #expect(row?.actualClose == Double(scorer * 1000) + Double(id), "id \(id)")
                #expect(row?.scoredAt == TestData.instant(Double(scorer)), "id \(id)")
            }
        }
    }

    static func unscoredPredictionsFilterAndOrder(_ store: any StockCastStore) async throws {
        let goog = TestData.instrument("GOOG")
        let googLondon = TestData.instrument("GOOG", "LSE")
        let msft = TestData.instrument("MSFT")
        // Targets from several origins and horizons, inserted shuffled, so id order is not target order and several
        // predictions share a target date (ties go by id).
        var inputs: [PredictionRecord] = []
        for origin in ["2024-03-01", "2024-03-05", "2024-03-08"] {
            for horizon in 1...5 {
                for instrument in [goog, googLondon, msft] {
                    inputs.append(
                        TestData.prediction(
                            instrument, origin: TestData.day(origin), horizon: horizon, seed: UInt64(inputs.count + 1)))
                }
            }
        }
        // A fixed permutation (37 and 45 are coprime).
        inputs = inputs.indices.map { inputs[($0 * 37) % inputs.count] }
        #expect(inputs.count == 45)
        var all = try await store.insertPredictions(inputs)
        // Score the GOOG predictions of odd horizons: scored and unscored targets interleave, and share dates.
        let toScore = all.filter { $0.instrument == goog && $0.horizon % 2 == 1 }.map(\.id)
        #expect(try await store.scorePredictions(toScore.map { PredictionScore(id: $0, actualClose: 1) }, at: TestData.instant(5)) == toScore)
        for index in all.indices where toScore.contains(all[index].id) {
            all[index].actualClose = 1
            all[index].scoredAt = TestData.instant(5)
        }

        func expected(_ instrument: InstrumentKey, through: SessionDate, limit: Int) -> [PredictionRecord] {
            Array(
                all.filter { $0.instrument == instrument && !$0.isScored && $0.targetDate <= through }
                    .sorted { ($0.targetDate, $0.id) < ($1.targetDate, $1.id) }.prefix(limit))
        }
        let throughDates = ["2024-03-01", "2024-03-04", "2024-03-07", "2024-03-11", "2024-03-15", "2030-01-01"]
        for instrument in [goog, googLondon, msft] {
            for through in throughDates.map(TestData.day) {
                for limit in [1, 4, 100] {
                    let page = try await store.unscoredPredictions(of: instrument, through: through, limit: limit)
                    #expect(page == expected(instrument, through: through, limit: limit), "\(instrument) \(through) \(limit)")
                }
            }
        }
        // The data really tests the bound: unscored GOOG targets lie on 2024-03-07 and after it; the bound is inclusive.
        let boundary = TestData.day("2024-03-07")
        try #require(all.contains { $0.instrument == goog && !$0.isScored && $0.targetDate == boundary })
        try #require(all.contains { $0.instrument == goog && !$0.isScored && $0.targetDate > boundary })
        let onBoundary = try await store.unscoredPredictions(of: goog, through: boundary, limit: 100)
        #expect(onBoundary.last?.targetDate == boundary)
        #expect(onBoundary.allSatisfy { $0.targetDate <= boundary && !$0.isScored && $0.instrument == goog })
        #expect(try await store.unscoredPredictions(of: goog, through: TestData.day("2030-01-01"), limit: 0).isEmpty)
        #expect(try await store.unscoredPredictions(of: TestData.instrument("NONE"), through: TestData.day("2030-01-01"), limit: 5).isEmpty)

        // Scored predictions: latest target first, then id descending.
        for instrument in [goog, googLondon] {
            let scored = all.filter { $0.instrument == instrument && $0.isScored }
                .sorted { ($0.targetDate, $0.id) > ($1.targetDate, $1.id) }
            for limit in [1, 3, 100] {
                #expect(try await store.scoredPredictions(of: instrument, limit: limit) == Array(scored.prefix(limit)))
            }
        }
        #expect(try await store.scoredPredictions(of: goog, limit: 100).count == toScore.count)
        #expect(try await store.scoredPredictions(of: googLondon, limit: 100).isEmpty)
        #expect(try await store.scoredPredictions(of: goog, limit: 0).isEmpty)
    }
}

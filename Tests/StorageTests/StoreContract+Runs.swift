import Foundation
import PredictionCore
import Storage
import Testing

extension StoreContract {
    static func runsAreCreatedUpdatedAndRead(_ store: any StockCastStore) async throws {
        let key = TestData.instrument("GOOG")
        let before = Date()
        let run = try await store.createRun(NewETLRun(instrument: key, source: "csv:goog.csv", trigger: .manual))
        #expect(run.status == .pending)
        #expect(run.instrument == key && run.source == "csv:goog.csv" && run.trigger == .manual)
        #expect(run.counts == ETLCounts() && run.error == nil && run.retryOf == nil)
        #expect(abs(run.createdAt.timeIntervalSince(before)) < 60)
        #expect(try await store.run(id: run.id) == run)

        var updated = run
        updated.status = .failed
        updated.startedAt = TestData.instant(1)
        updated.finishedAt = TestData.instant(2.5)
        updated.counts = ETLCounts(read: 10, inserted: 4, updated: 3, unchanged: 1, rejected: 2, flagged: 5)
        updated.error = "source unavailable: HTTP 503"
        try await store.updateRun(updated)
        #expect(try await store.run(id: run.id) == updated)

        let retry = try await store.createRun(NewETLRun(instrument: key, source: "yahoo", trigger: .retry, retryOf: run.id))
        #expect(retry.id > run.id)
        #expect(try await store.run(id: retry.id)?.retryOf == run.id)
        #expect(try await store.run(id: retry.id + 1000) == nil)

        var missing = updated
        missing.id = retry.id + 1000
        await #expect(throws: StorageError.self) { try await store.updateRun(missing) }
    }

    static func runsFilterAndPage(_ store: any StockCastStore) async throws {
        let goog = TestData.instrument("GOOG")
        let googNYSE = TestData.instrument("GOOG", "NYSE")
        let msft = TestData.instrument("MSFT")
        var created: [ETLRun] = []
        for index in 0..<12 {
            let key = [goog, googNYSE, msft][index % 3]
            var run = try await store.createRun(NewETLRun(instrument: key, source: "yahoo", trigger: .schedule))
            if index % 4 == 0 {
                run.status = .completed
                try await store.updateRun(run)
            }
            created.append(run)
        }
        let newestFirst = created.reversed().map(\.id)

        var paged: [Int64] = []
        var cursor: Int64?
        for _ in 0..<10 {
            let page = try await store.runs(matching: ETLRunFilter(), before: cursor, limit: 5)
            if page.isEmpty { break }
            paged += page.map(\.id)
            cursor = page.last?.id
        }
        #expect(paged == newestFirst)

        let byInstrument = try await store.runs(matching: ETLRunFilter(instrument: goog), before: nil, limit: 100)
        #expect(byInstrument.map(\.id) == created.filter { $0.instrument == goog }.reversed().map(\.id))
        let byTicker = try await store.runs(matching: ETLRunFilter(ticker: TickerSymbol("GOOG")), before: nil, limit: 100)
        #expect(byTicker.map(\.id) == created.filter { $0.instrument.ticker.rawValue == "GOOG" }.reversed().map(\.id))
        let completed = try await store.runs(matching: ETLRunFilter(status: .completed), before: nil, limit: 100)
        #expect(completed.map(\.id) == [created[8], created[4], created[0]].map(\.id))
        #expect(completed.allSatisfy { $0.status == .completed })
        let combined = try await store.runs(
            matching: ETLRunFilter(instrument: msft, status: .pending), before: created[11].id, limit: 2)
        #expect(combined.map(\.id) == [created[5].id, created[2].id])
        let conflicting = try await store.runs(
            matching: ETLRunFilter(instrument: msft, ticker: TickerSymbol("GOOG")), before: nil, limit: 100)
        #expect(conflicting.isEmpty)
        #expect(try await store.runs(matching: ETLRunFilter(), before: nil, limit: 0).isEmpty)
    }

    static func stepsAreUpserted(_ store: any StockCastStore) async throws {
        let run = try await store.createRun(NewETLRun(instrument: TestData.instrument("GOOG"), source: "yahoo", trigger: .manual))
        let clean = ETLStep(runID: run.id, name: .clean, status: .running, attempts: 1, startedAt: TestData.instant(3))
        let fetch = ETLStep(
            runID: run.id, name: .fetch, status: .completed, attempts: 2, startedAt: TestData.instant(0),
            finishedAt: TestData.instant(1.25), durationMilliseconds: 1250, counts: ETLCounts(read: 300))
        let validate = ETLStep(
            runID: run.id, name: .validate, status: .failed, attempts: 1, counts: ETLCounts(rejected: 3, flagged: 1),
            error: "too many rejected rows")
        try await store.recordStep(clean)
        try await store.recordStep(fetch)
        try await store.recordStep(validate)
        var finished = clean
        finished.status = .completed
        finished.finishedAt = TestData.instant(4)
        finished.durationMilliseconds = 1000
        finished.counts = ETLCounts(inserted: 7)
        try await store.recordStep(finished)

        #expect(try await store.steps(ofRun: run.id) == [fetch, validate, finished])
        #expect(try await store.steps(ofRun: run.id + 1).isEmpty)
        await #expect(throws: StorageError.self) {
            try await store.recordStep(ETLStep(runID: run.id + 1, name: .fetch, status: .running))
        }
    }

    static func issuesAppendAndPage(_ store: any StockCastStore) async throws {
        let run = try await store.createRun(NewETLRun(instrument: TestData.instrument("GOOG"), source: "csv:x", trigger: .upload))
        let first: [RowIssue] = [
            RowIssue(row: 2, session: TestData.day("2020-01-04"), reason: .nonSession, detail: "2020-01-04 is a Saturday"),
            RowIssue(row: 3, session: nil, reason: .unparseable, detail: "date \"x\" is not YYYY-MM-DD"),
            RowIssue(row: nil, session: TestData.day("2020-01-07"), reason: .missingSessions, detail: "1 session missing"),
            RowIssue(row: 9, session: TestData.day("2020-01-08"), reason: .largeMoveWithoutSplit, detail: "close +61 %"),
            RowIssue(row: 10, session: TestData.day("2020-01-09"), reason: .highBelowLow, detail: "high 10.2 < low 10.5"),
        ]
        try await store.appendIssues(first, toRun: run.id)
        let second = (0..<3).map { RowIssue(row: 20 + $0, session: nil, reason: .negativeVolume, detail: "volume -\($0)") }
        try await store.appendIssues(second, toRun: run.id)
        try await store.appendIssues([], toRun: run.id)

        let all = try await store.issues(ofRun: run.id, after: nil, limit: 100)
        #expect(all.map(\.sequence) == Array(1...8))
        #expect(all.map(\.issue) == first + second)
        #expect(all[2].issue.severity == .flagged && all[0].issue.severity == .rejected)

        let page = try await store.issues(ofRun: run.id, after: 3, limit: 2)
        #expect(page.map(\.sequence) == [4, 5])
        #expect(try await store.issues(ofRun: run.id, after: 8, limit: 10).isEmpty)
        #expect(try await store.issues(ofRun: run.id, after: nil, limit: 0).isEmpty)

        let many = (0..<2500).map { RowIssue(row: $0 + 2, session: nil, reason: .duplicateSession, detail: "row \($0)") }
        try await store.appendIssues(many, toRun: run.id)
        let tail = try await store.issues(ofRun: run.id, after: 2500, limit: 100)
        #expect(tail.map(\.sequence) == Array(2501...2508))
        #expect(tail.last?.issue.detail == "row 2499")

        await #expect(throws: StorageError.self) { try await store.appendIssues(first, toRun: run.id + 99) }
    }

    static func scheduleSlotIsClaimedOnce(_ store: any StockCastStore) async throws {
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for instance in 0..<10 {
                group.addTask { try await store.claimScheduleSlot("etl-daily:2024-03-01", instance: "instance-\(instance)") }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count(where: { $0 }) == 1)
        #expect(try await store.claimScheduleSlot("etl-daily:2024-03-01", instance: "late") == false)
        #expect(try await store.claimScheduleSlot("etl-daily:2024-03-04", instance: "late") == true)
    }
}

import Foundation
import PredictionCore
import Storage
import Testing

extension StoreContract {
    static func tasksRoundTripAndUpdate(_ store: any StockCastStore) async throws {
        let created = TestData.task("4f1c2d9e-0000-4000-8000-000000000001", kind: .forecast, at: 10.5, model: 7)
        try await store.createTask(created)
        #expect(try await store.task(id: created.id) == created)
        #expect(try await store.task(id: "missing") == nil)
        await #expect(throws: StorageError.self) { try await store.createTask(created) }

        var running = created
        running.state = .running
        running.progress = 0.123_456_789_012_345
        running.message = "fold 3 of 25"
        running.resultJSON = #"{"points":[{"target_date":"2024-03-04","predicted_close":101.5}]}"#
        running.startedAt = TestData.instant(11.25)
        try await store.updateTask(running)
        #expect(try await store.task(id: created.id) == running)

        var failed = running
        failed.state = .failed
        failed.progress = 1
        failed.message = "interrupted"
        failed.resultJSON = nil
        failed.error = "interrupted: the server restarted while the task ran"
        failed.finishedAt = TestData.instant(20)
        // The request, model and creation time are fixed at creation.
        var tampered = failed
        tampered.payloadJSON = "{}"
        tampered.modelID = 8
        tampered.kind = .train
        tampered.createdAt = TestData.instant(0)
        try await store.updateTask(tampered)
        #expect(try await store.task(id: created.id) == failed)

        // Only a finished task can be deleted.
        #expect(try await store.deleteFinishedTask(id: "missing") == false)
        let live = TestData.task("4f1c2d9e-0000-4000-8000-0000000000ff", at: 12)
        try await store.createTask(live)
        #expect(try await store.deleteFinishedTask(id: live.id) == false)
        #expect(try await store.task(id: live.id) != nil)
        #expect(try await store.deleteFinishedTask(id: created.id))
        #expect(try await store.task(id: created.id) == nil)
        try await store.createTask(created)
        try await store.updateTask(failed)

        // Timestamps are kept to the microsecond (rounded), and read back identically on both backends.
        var precise = TestData.task("precise", at: 0)
        precise.createdAt = Date(timeIntervalSince1970: 1_700_000_000.123_456_2)
        precise.startedAt = Date(timeIntervalSince1970: 1_700_000_000.999_999_8)
        try await store.createTask(precise)
        let readBack = try #require(try await store.task(id: "precise"))
        #expect(readBack.createdAt == Date(timeIntervalSince1970: Double(1_700_000_000_123_456 as Int64) / 1_000_000))
        #expect(readBack.startedAt == Date(timeIntervalSince1970: Double(1_700_000_001_000_000 as Int64) / 1_000_000))

        let missing = await #expect(throws: StorageError.self) {
            try await store.updateTask(TestData.task("missing", at: 1))
        }
        #expect(missing?.code == .notFound)
        let nan = await #expect(throws: StorageError.self) {
            var task = TestData.task("nan", at: 1)
            task.progress = .nan
            try await store.createTask(task)
        }
        #expect(nan?.code == .invalidValue)
    }

    static func tasksPageByCursorAndFilters(_ store: any StockCastStore) async throws {
        // 30 tasks, three per creation instant (ties broken by id, which is not in insertion order), states and
        // kinds cycling.
        var tasks: [TaskRecord] = []
        for index in 0..<30 {
            let number = (index * 17) % 30
            let id = "task-\(number < 10 ? "0" : "")\(number)-\(index % 2 == 0 ? "A" : "b")"
            tasks.append(
                TestData.task(
                    id, kind: index % 3 == 0 ? .forecast : .train,
                    state: TaskState.allCases[index % TaskState.allCases.count], at: Double(index / 3)))
        }
        for task in tasks.shuffled() { try await store.createTask(task) }
        let newestFirst = tasks.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }

        for state in [nil] + TaskState.allCases.map(Optional.some) {
            for kind in [nil] + TaskKind.allCases.map(Optional.some) {
                let expected = newestFirst.filter { (state == nil || $0.state == state) && (kind == nil || $0.kind == kind) }
                var pages: [[TaskRecord]] = []
                var cursor: String?
                while pages.count <= 30 {
                    let page = try await store.tasks(state: state, kind: kind, before: cursor, limit: 4)
                    #expect(page.count <= 4)
                    guard let last = page.last else { break }
                    pages.append(page)
                    cursor = last.id
                }
                #expect(pages.joined().map(\.id) == expected.map(\.id), "state \(state?.rawValue ?? "any"), kind \(kind?.rawValue ?? "any")")
                #expect(pages.dropLast().allSatisfy { $0.count == 4 })
            }
        }
        #expect(try await store.tasks(state: nil, kind: nil, before: nil, limit: 100) == newestFirst)
        #expect(try await store.tasks(state: nil, kind: nil, before: nil, limit: 0).isEmpty)
        // A cursor that does not match the filter still positions the page.
        let middle = newestFirst[10]
        let afterMiddle = newestFirst[11...].filter { $0.kind == .forecast }
        #expect(try await store.tasks(state: nil, kind: .forecast, before: middle.id, limit: 100) == Array(afterMiddle))
        #expect(try await store.tasks(state: nil, kind: nil, before: newestFirst.last?.id, limit: 10).isEmpty)

        let unknown = await #expect(throws: StorageError.self) {
            try await store.tasks(state: nil, kind: nil, before: "no-such-task", limit: 10)
        }
        #expect(unknown?.code == .notFound)
    }

    static func predictionsInsertAndPage(_ store: any StockCastStore) async throws {
        let goog = TestData.instrument("GOOG")
        let msft = TestData.instrument("MSFT")
        #expect(try await store.insertPredictions([]).isEmpty)

        let single = [
            TestData.prediction(goog, seed: 1), TestData.prediction(msft, seed: 2), TestData.prediction(goog, seed: 3),
        ]
        let stored = try await store.insertPredictions(single)
        #expect(stored.count == 3)
        #expect(zip(stored, stored.dropFirst()).allSatisfy { $0.id < $1.id })
        for (row, input) in zip(stored, single) {
            var expected = input
            expected.id = row.id
            #expect(row == expected)
        }
        let read = try await store.predictions(ticker: nil, before: nil, limit: 10)
        #expect(read == stored.reversed())
        #expect(read.map(\.upper95.bitPattern) == stored.reversed().map(\.upper95.bitPattern))
        #expect(read.map(\.originClose.bitPattern) == stored.reversed().map(\.originClose.bitPattern))

        // A multi-day forecast: 25 points of one task.
        let forecast = (1...25).map {
            TestData.prediction(goog, horizon: $0, seed: UInt64(100 + $0), model: 42, task: "forecast-task-1")
        }
        let points = try await store.insertPredictions(forecast)
        #expect(points.map(\.horizon) == Array(1...25))
        #expect(zip(points, points.dropFirst()).allSatisfy { $0.id < $1.id })
        #expect(points.allSatisfy { $0.taskID == "forecast-task-1" && $0.modelID == 42 })

        // Newest first by id, paged by cursor, with and without the ticker filter.
        let everything = (stored + points).reversed().map { $0 }
        for ticker in [nil, goog.ticker, msft.ticker] {
            let expected = everything.filter { ticker == nil || $0.instrument.ticker == ticker }
            var collected: [PredictionRecord] = []
            var cursor: Int64?
            while collected.count <= everything.count {
                let page = try await store.predictions(ticker: ticker, before: cursor, limit: 7)
                #expect(page.count <= 7)
                guard let last = page.last else { break }
                collected += page
                cursor = last.id
            }
            #expect(collected == expected, "ticker \(ticker?.rawValue ?? "any")")
        }
        #expect(try await store.predictions(ticker: nil, before: nil, limit: 0).isEmpty)

        // A NaN anywhere refuses the whole batch.
        var bad = TestData.prediction(msft, seed: 9)
        bad.lower95 = .nan
        let error = await #expect(throws: StorageError.self) {
            try await store.insertPredictions([TestData.prediction(msft, seed: 8), bad])
        }
        #expect(error?.code == .invalidValue)
        #expect(try await store.predictions(ticker: nil, before: nil, limit: 100).count == everything.count)

        // Concurrent batches: each batch's ids ascend in its input order, and no id is handed out twice.
        let batches = try await withThrowingTaskGroup(of: [PredictionRecord].self) { group in
            for batch in 0..<8 {
                group.addTask {
                    try await store.insertPredictions(
                        (1...15).map { TestData.prediction(msft, horizon: $0, seed: UInt64(batch * 100 + $0)) })
                }
            }
            return try await group.reduce(into: [[PredictionRecord]]()) { $0.append($1) }
        }
        #expect(batches.allSatisfy { batch in batch.map(\.horizon) == Array(1...15) })
        #expect(batches.allSatisfy { batch in zip(batch, batch.dropFirst()).allSatisfy { $0.id < $1.id } })
        #expect(Set(batches.joined().map(\.id)).count == 8 * 15)
        #expect(try await store.predictions(ticker: msft.ticker, before: nil, limit: 1000).count == 1 + 8 * 15)
    }
}

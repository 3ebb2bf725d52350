import Foundation
import PredictionCore
import Storage
import Testing

extension StoreContract {
    static func aliasMovesAreAudited(_ store: any StockCastStore) async throws {
        let key = TestData.instrument("ALIAS")
        let otherKey = TestData.instrument("ALIAS", "LSE")
        let m1 = try await store.createModel(TestData.newModel(key)).id
        let m2 = try await store.createModel(TestData.newModel(key)).id
        let foreign = try await store.createModel(TestData.newModel(otherKey)).id
        #expect(try await store.aliases(of: key).isEmpty)

        let promote = try await store.moveAlias(
            .champion, of: key, to: m1, actor: "ops (sck_ab12)", reason: "promote: MASE 0.93 < 1",
            metricsJSON: #"{"mase_h1":0.93}"#)
        #expect(promote.fromModel == nil && promote.toModel == m1 && promote.alias == .champion)
        #expect(promote.instrument == key && promote.actor == "ops (sck_ab12)" && promote.metricsJSON == #"{"mase_h1":0.93}"#)
        #expect(abs(promote.at.timeIntervalSinceNow) < 60)
        let challenger = try await store.moveAlias(.challenger, of: key, to: m2, actor: "cli", reason: "register", metricsJSON: nil)
        let replace = try await store.moveAlias(.champion, of: key, to: m2, actor: "cli", reason: "promote", metricsJSON: nil)
        #expect(replace.fromModel == m1 && replace.toModel == m2)
        #expect(try await store.aliases(of: key) == [.champion: m2, .challenger: m2])
        let cleared = try await store.moveAlias(.challenger, of: key, to: nil, actor: "system", reason: "clear", metricsJSON: nil)
        #expect(cleared.fromModel == m2 && cleared.toModel == nil)
        #expect(try await store.aliases(of: key) == [.champion: m2])
        let otherPromote = try await store.moveAlias(.champion, of: otherKey, to: foreign, actor: "cli", reason: "promote", metricsJSON: nil)

        // Newest first, with the filters.
        let all = [otherPromote, cleared, replace, challenger, promote]
        #expect(try await store.aliasEvents(of: nil, involving: nil, limit: 100) == all)
        #expect(try await store.aliasEvents(of: nil, involving: nil, limit: 2) == [otherPromote, cleared])
        #expect(try await store.aliasEvents(of: key, involving: nil, limit: 100) == [cleared, replace, challenger, promote])
        #expect(try await store.aliasEvents(of: nil, involving: m1, limit: 100) == [replace, promote])
        #expect(try await store.aliasEvents(of: key, involving: m2, limit: 100) == [cleared, replace, challenger])
        #expect(try await store.aliasEvents(of: otherKey, involving: m1, limit: 100).isEmpty)
        #expect(try await store.aliasEvents(of: nil, involving: nil, limit: 0).isEmpty)

        // A model of another instrument, or none at all: refused, and neither the alias nor the log changes.
        let wrong = await #expect(throws: StorageError.self) {
            try await store.moveAlias(.champion, of: key, to: foreign, actor: "cli", reason: "promote", metricsJSON: nil)
        }
        #expect(wrong?.code == .invalidValue)
        let absent = await #expect(throws: StorageError.self) {
            try await store.moveAlias(.champion, of: key, to: 999_999, actor: "cli", reason: "promote", metricsJSON: nil)
        }
        #expect(absent?.code == .notFound)
        #expect(try await store.aliases(of: key) == [.champion: m2])
        #expect(try await store.aliasEvents(of: nil, involving: nil, limit: 100) == all)

        // Deleting a model removes its alias rows; the history stays.
        #expect(try await store.deleteModel(id: m2))
        #expect(try await store.aliases(of: key).isEmpty)
        #expect(try await store.aliasEvents(of: key, involving: m2, limit: 100) == [cleared, replace, challenger])
        #expect(try await store.aliases(of: otherKey) == [.champion: foreign])
    }

    static func concurrentAliasMovesFormOneChain(_ store: any StockCastStore) async throws {
        // 30 concurrent moves among three models: serialised move + audit means every event's `from` is the previous
        // event's `to`, and the alias ends on the last event's `to`. Interleaved read-then-write would break the chain.
        let key = TestData.instrument("CHAIN")
        var models: [Int64] = []
        for _ in 0..<3 { models.append(try await store.createModel(TestData.newModel(key)).id) }
        let targets = models
        let moves = 30
        try await withThrowingTaskGroup(of: Void.self) { group in
            for move in 0..<moves {
                group.addTask {
                    let target: Int64? = move % 7 == 6 ? nil : targets[move % targets.count]
                    _ = try await store.moveAlias(.champion, of: key, to: target, actor: "w\(move)", reason: "race", metricsJSON: nil)
                }
            }
            try await group.waitForAll()
        }
        let events = Array(try await store.aliasEvents(of: key, involving: nil, limit: 100).reversed())
        #expect(events.count == moves)
        #expect(Set(events.map(\.actor)).count == moves)
        #expect(events.first?.fromModel == nil)
        let brokenLinks = zip(events, events.dropFirst()).count { previous, next in next.fromModel != previous.toModel }
        #expect(brokenLinks == 0, "events whose `from` is not the previous event's `to`")
        #expect(try await store.aliases(of: key)[.champion] == events.last?.toModel)
    }
}

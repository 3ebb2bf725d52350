import Foundation
import PredictionCore
import Storage
import Testing

extension StoreContract {
    /// Claim → lease renewal → cancel flag → fenced writes → expiry → reclaim by another instance (attempt + 1, the
    /// first owner fenced off, from the task and from the model it trains) → abandoned after the last attempt.
    static func tasksAreClaimedLeasedAndFenced(_ store: any StockCastStore) async throws {
        let t = TestData.instant
        #expect(try await store.claimTask(instance: "a", now: t(100), leaseUntil: t(130), maxAttempts: 2) == nil)
        try await store.createTask(TestData.task("claim-older", at: 10))
        try await store.createTask(TestData.task("claim-newer", at: 20))
        #expect(try await store.taskCount(state: .pending) == 2)
        #expect(try await store.taskCount(state: .running) == 0)

        // The oldest pending task goes first, to one owner, with attempt 1.
        let first = try #require(try await store.claimTask(instance: "a", now: t(100), leaseUntil: t(130), maxAttempts: 2))
        #expect(first.id == "claim-older" && first.state == .running && first.owner == "a" && first.attempt == 1)
        #expect(first.leaseExpiresAt == t(130) && first.startedAt == t(100) && !first.cancelRequested)
        #expect(try await store.task(id: first.id) == first)
        let second = try #require(try await store.claimTask(instance: "b", now: t(101), leaseUntil: t(131), maxAttempts: 2))
        #expect(second.id == "claim-newer" && second.owner == "b")
        #expect(try await store.claimTask(instance: "c", now: t(102), leaseUntil: t(132), maxAttempts: 2) == nil, "leases are held")
        #expect(try await store.taskCount(state: .pending) == 0)
        #expect(try await store.taskCount(state: .running) == 2)

        // Only the holder renews; a cancel from anywhere reaches it through the renewal.
        #expect(try await store.renewTaskLease(id: first.id, instance: "a", attempt: 1, until: t(160)) == false)
        #expect(try await store.renewTaskLease(id: first.id, instance: "b", attempt: 1, until: t(160)) == nil)
        #expect(try await store.requestTaskCancel(id: first.id))
        #expect(try await store.requestTaskCancel(id: "missing") == false)
        #expect(try await store.renewTaskLease(id: first.id, instance: "a", attempt: 1, until: t(160)) == true)

        // Lease expired (a was killed): b reclaims it with attempt 2; a's late writes are refused.
        let reclaimed = try #require(try await store.claimTask(instance: "b", now: t(161), leaseUntil: t(190), maxAttempts: 2))
        #expect(reclaimed.id == first.id && reclaimed.owner == "b" && reclaimed.attempt == 2)
        #expect(reclaimed.cancelRequested, "a cancel asked of the dead owner reaches the next one")
        var late = first
        late.state = .completed
        late.resultJSON = "{}"
        let fenced = await #expect(throws: StorageError.self) { try await store.updateTask(late) }
        #expect(fenced?.code == .superseded)
        #expect(try await store.renewTaskLease(id: first.id, instance: "a", attempt: 1, until: t(200)) == nil)

        // The model a training writes is fenced the same way, in the same statement: a's late result cannot overwrite b's.
        var model = try await store.createModel(TestData.newModel(TestData.instrument("FENCE")))
        model.status = .trained
        model.metricsJSON = #"{"attempt":1}"#
        let modelFenced = await #expect(throws: StorageError.self) {
            try await store.updateModel(model, fencedBy: TaskFence(taskID: first.id, attempt: 1, instance: "a"))
        }
        #expect(modelFenced?.code == .superseded)
        #expect(try await store.model(id: model.id)?.status == .registered, "the refused write changed nothing")
        model.metricsJSON = #"{"attempt":2}"#
        try await store.updateModel(model, fencedBy: TaskFence(taskID: first.id, attempt: 2, instance: "b"))
        #expect(try await store.model(id: model.id)?.metricsJSON == #"{"attempt":2}"#)
        var missing = model
        missing.id = 999_999
        let absent = await #expect(throws: StorageError.self) {
            try await store.updateModel(missing, fencedBy: TaskFence(taskID: first.id, attempt: 2, instance: "b"))
        }
        #expect(absent?.code == .notFound)
        var done = reclaimed
        done.state = .completed
        done.finishedAt = t(170)
        try await store.updateTask(done)
        #expect(try await store.task(id: first.id)?.state == .completed)

        // The other task's owner vanished too, after its last allowed attempt: it is failed with the reason, not reclaimed.
        #expect(try await store.failAbandonedTasks(now: t(120), maxAttempts: 1, reason: "gone").isEmpty, "its lease still runs")
        let abandoned = try await store.failAbandonedTasks(now: t(140), maxAttempts: 1, reason: "abandoned after 1 attempt")
        #expect(abandoned.map(\.id) == [second.id])
        #expect(abandoned.first?.state == .failed && abandoned.first?.error == "abandoned after 1 attempt" && abandoned.first?.finishedAt == t(140))
        #expect(try await store.claimTask(instance: "c", now: t(300), leaseUntil: t(330), maxAttempts: 1) == nil)
    }

    /// Eight claimers racing for five tasks: each task is claimed exactly once.
    static func concurrentClaimersGetDifferentTasks(_ store: any StockCastStore) async throws {
        for index in 0..<5 { try await store.createTask(TestData.task("race-\(index)", at: Double(index))) }
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for claimer in 0..<8 {
                group.addTask {
                    var mine: [String] = []
                    while let task = try await store.claimTask(
                        instance: "i\(claimer)", now: TestData.instant(50), leaseUntil: TestData.instant(80), maxAttempts: 3)
                    {
                        mine.append(task.id)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(claimed.sorted() == (0..<5).map { "race-\($0)" })
    }

    /// An instance that stopped beating: its running run fails, its pending runs go to exactly one live adopter; a live
    /// instance's runs and runs without an owner are untouched.
    static func runsOfAStoppedInstanceAreAdoptedOnce(_ store: any StockCastStore) async throws {
        let instrument = TestData.instrument("ADOPT")
        func run(_ owner: String?, running: Bool = false) async throws -> ETLRun {
            var run = try await store.createRun(NewETLRun(instrument: instrument, source: "yahoo", trigger: .manual, owner: owner))
            if running {
                run.status = .running
                try await store.updateRun(run)
            }
            return run
        }
        try await store.recordHeartbeat(instance: "dead", at: TestData.instant(10))
        try await store.recordHeartbeat(instance: "alive", at: TestData.instant(95))
        let dying = try await run("dead", running: true)
        let orphans = [try await run("dead"), try await run("dead"), try await run("dead")]
        let alive = try await run("alive")
        let ownerless = try await run(nil)
        for adopter in ["c0", "c1", "c2", "c3"] { try await store.recordHeartbeat(instance: adopter, at: TestData.instant(100)) }
        let results = try await withThrowingTaskGroup(of: (String, [ETLRun], [ETLRun]).self) { group in
            for adopter in ["c0", "c1", "c2", "c3"] {
                group.addTask {
                    let (failed, adopted) = try await store.adoptRuns(instance: adopter, staleBefore: TestData.instant(60), reason: "interrupted: gone")
                    return (adopter, failed, adopted)
                }
            }
            return try await group.reduce(into: [(String, [ETLRun], [ETLRun])]()) { $0.append($1) }
        }
        let failed = results.flatMap(\.1)
        let adopted = results.flatMap(\.2)
        #expect(failed.map(\.id) == [dying.id])
        #expect(failed.first?.status == .failed && failed.first?.error == "interrupted: gone")
        #expect(adopted.map(\.id).sorted() == orphans.map(\.id).sorted(), "each orphan adopted exactly once")
        for (adopter, _, runs) in results {
            #expect(runs.allSatisfy { $0.owner == adopter && $0.status == .pending })
        }
        #expect(try await store.run(id: alive.id)?.owner == "alive")
        #expect(try await store.run(id: ownerless.id)?.owner == nil)
        // An instance never adopts its own runs, however old its heartbeat.
        #expect(try await store.adoptRuns(instance: "alive", staleBefore: TestData.instant(1000), reason: "x").adopted.allSatisfy { $0.id != alive.id })
    }
}

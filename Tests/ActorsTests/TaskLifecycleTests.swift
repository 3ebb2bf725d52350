import Actors
import Foundation
import Storage
import Testing

@Suite struct TaskLifecycleTests {
    static func pending() -> TaskLifecycle {
        TaskLifecycle(TaskRecord(id: "t1", kind: .train, state: .pending, payloadJSON: "{}", createdAt: Date(timeIntervalSince1970: 0)))
    }

    @Test func happyPath() throws {
        var task = Self.pending()
        #expect(try task.apply(.start).get() == .persistAndStartWork)
        #expect(task.record.state == .running)
        #expect(task.record.startedAt != nil)
        _ = try task.apply(.progress(0.4, message: "fold 2/5")).get()
        _ = try task.apply(.progress(0.2, message: "late report")).get()
        #expect(task.record.progress == 0.4, "progress never goes backwards")
        _ = try task.apply(.progress(7, message: "x")).get()
        #expect(task.record.progress == 1, "clamped")
        #expect(try task.apply(.complete(resultJSON: "{\"rmse\":1}", message: "done")).get() == .persist)
        #expect(task.record.state == .completed)
        #expect(task.record.resultJSON == "{\"rmse\":1}")
        #expect(task.record.finishedAt != nil)
    }

    @Test func finalStatesAcceptNothing() {
        var task = Self.pending()
        _ = task.apply(.start)
        _ = task.apply(.fail("boom"))
        #expect(task.record.state == .failed)
        #expect(task.record.error == "boom")
        for event: TaskLifecycle.Event in [.start, .progress(0.5, message: ""), .complete(resultJSON: "{}", message: ""), .requestCancel, .stopped, .interrupted] {
            let before = task
            #expect(throws: TaskLifecycle.Rejection.self) { try task.apply(event).get() }
            #expect(task == before, "a refused event changes nothing")
        }
    }

    @Test func cancellationBeforeAndWhileRunning() throws {
        var queued = Self.pending()
        #expect(try queued.apply(.requestCancel).get() == .persist)
        #expect(queued.record.state == .cancelled)

        var running = Self.pending()
        _ = running.apply(.start)
        #expect(try running.apply(.requestCancel).get() == .persistAndSignalCancel)
        #expect(running.record.state == .running, "stops at the next fold, not at once")
        #expect(running.cancelRequested)
        #expect(throws: TaskLifecycle.Rejection.self) { try running.apply(.requestCancel).get() }
        _ = try running.apply(.stopped).get()
        #expect(running.record.state == .cancelled)
    }

    @Test func interruptedAndInvalidTransitions() throws {
        var running = Self.pending()
        _ = running.apply(.start)
        _ = try running.apply(.interrupted).get()
        #expect(running.record.state == .failed)
        #expect(running.record.error?.contains("interrupted") == true)

        var pending = Self.pending()
        #expect(throws: TaskLifecycle.Rejection.self) { try pending.apply(.complete(resultJSON: "{}", message: "")).get() }
        #expect(throws: TaskLifecycle.Rejection.self) { try pending.apply(.progress(0.5, message: "")).get() }
        #expect(throws: TaskLifecycle.Rejection.self) { try pending.apply(.stopped).get() }
        #expect(pending.record.state == .pending)
    }
}

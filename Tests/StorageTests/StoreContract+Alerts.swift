import Foundation
import PredictionCore
import Storage
import Testing

extension StoreContract {
    /// An alert of `kind` on `instrument`, raised at `instant(seconds)`.
    static func newAlert(
        _ kind: AlertKind, _ instrument: InstrumentKey?, at seconds: Double, messages: [String] = ["m"],
        details: String = "{}", target: String? = nil, instance: String = "i1"
    ) -> NewAlert {
        NewAlert(
            kind: kind, instrument: instrument, targetDate: target.map(TestData.day), messages: messages, details: details,
            instance: instance, at: TestData.instant(seconds))
    }

    static func alertsRaiseDeduplicateAndResolve(_ store: any StockCastStore) async throws {
        let key = TestData.instrument("ALRT")
        let otherExchange = TestData.instrument("ALRT", "LSE")
        // Details are kept byte for byte: spacing, key order, escapes and non-ASCII text as written.
        let details = "{ \"z\":1,  \"a\" : [1.50, \"caf\\u00e9\", \"/path\"],\n\"\u{00e9}\": null }"
        let messages = ["Return drift: z = 4.2 > 3", "quotes \" and / and caf\u{00e9} \u{1F4C8}", ""]
        let first = try await store.raiseAlert(
            newAlert(.returnDrift, key, at: 10.5, messages: messages, details: details, target: "2024-03-04", instance: "a"))
        #expect(first.isNew)
        let raised = first.alert
        #expect(raised.kind == .returnDrift && raised.instrument == key && raised.state == .active)
        #expect(raised.targetDate == TestData.day("2024-03-04") && raised.messages == messages && raised.details == details)
        #expect(raised.raisedAt == TestData.instant(10.5) && raised.updatedAt == TestData.instant(10.5))
        #expect(raised.resolvedAt == nil && raised.instance == "a")
        #expect(try await store.alerts(state: nil, ticker: nil, before: nil, limit: 10) == [raised])

        // Raised again while active: the same alert, updated; first raise time and instance stay.
        let second = try await store.raiseAlert(
            newAlert(.returnDrift, key, at: 20, messages: ["z = 5.0"], details: #"{"z":5}"#, target: "2024-03-05", instance: "b"))
        #expect(!second.isNew)
        var updated = raised
        updated.messages = ["z = 5.0"]
        updated.details = #"{"z":5}"#
        updated.targetDate = TestData.day("2024-03-05")
        updated.updatedAt = TestData.instant(20)
        #expect(second.alert == updated)
        #expect(try await store.activeAlerts(limit: 10) == [updated])

        // Another kind, or the same ticker on another exchange, is another alert.
        let otherKind = try await store.raiseAlert(newAlert(.forecastError, key, at: 21))
        let elsewhere = try await store.raiseAlert(newAlert(.returnDrift, otherExchange, at: 22, target: nil))
        #expect(otherKind.isNew && elsewhere.isNew)
        #expect(Set([raised.id, otherKind.alert.id, elsewhere.alert.id]).count == 3)
        #expect(elsewhere.alert.targetDate == nil)

        // Resolve: returned resolved; a second resolve finds nothing; resolving what was never raised finds nothing.
        let resolved = try #require(try await store.resolveAlert(kind: .returnDrift, instrument: key, instance: "elsewhere", at: TestData.instant(30)))
        var expectedResolved = updated
        expectedResolved.state = .resolved
        expectedResolved.resolvedAt = TestData.instant(30)
        expectedResolved.updatedAt = TestData.instant(30)
        #expect(resolved == expectedResolved)
        #expect(try await store.resolveAlert(kind: .returnDrift, instrument: key, instance: "elsewhere", at: TestData.instant(31)) == nil)
        #expect(try await store.resolveAlert(kind: .staleData, instrument: key, instance: "elsewhere", at: TestData.instant(31)) == nil)
        #expect(try await store.activeAlerts(limit: 10) == [elsewhere.alert, otherKind.alert])

        // Raised again after resolving: a new alert with a new id; the resolved one stays in the history.
        let again = try await store.raiseAlert(newAlert(.returnDrift, key, at: 40, messages: []))
        #expect(again.isNew)
        #expect(again.alert.id > elsewhere.alert.id && again.alert.messages.isEmpty)
        #expect(
            try await store.alerts(state: nil, ticker: key.ticker, before: nil, limit: 10)
                == [again.alert, elsewhere.alert, otherKind.alert, expectedResolved])
        #expect(try await store.alerts(state: .resolved, ticker: nil, before: nil, limit: 10) == [expectedResolved])

        // A future kind needs no schema change; details that are not JSON are refused.
        let custom = try #require(AlertKind(rawValue: "model_age_90d"))
        #expect(try await store.raiseAlert(newAlert(custom, key, at: 50)).alert.kind == custom)
        for bad in ["", "not json", "{\"a\":", "{'a':1}"] {
            let error = await #expect(throws: StorageError.self) {
                try await store.raiseAlert(newAlert(.latency, nil, at: 60, details: bad))
            }
            #expect(error?.code == .invalidValue, "details \(bad)")
        }
        #expect(try await store.alerts(state: nil, ticker: nil, before: nil, limit: 100).count == 5)
        #expect(try await store.activeAlerts(limit: 0).isEmpty)
    }

    static func serviceLevelAlertsDeduplicate(_ store: any StockCastStore) async throws {
        let key = TestData.instrument("SVC")
        let first = try await store.raiseAlert(newAlert(.errorRate, nil, at: 1, messages: ["5xx 7%"], details: #"{"rate":0.07}"#))
        let second = try await store.raiseAlert(newAlert(.errorRate, nil, at: 2, messages: ["5xx 9%"], details: #"{"rate":0.09}"#))
        #expect(first.isNew && !second.isNew)
        #expect(second.alert.id == first.alert.id && second.alert.instrument == nil)
        #expect(second.alert.messages == ["5xx 9%"] && second.alert.details == #"{"rate":0.09}"#)
        #expect(second.alert.raisedAt == TestData.instant(1) && second.alert.updatedAt == TestData.instant(2))
        // An instrument alert of the same kind is separate from the service-level one.
        let scoped = try await store.raiseAlert(newAlert(.errorRate, key, at: 3))
        #expect(scoped.isNew && scoped.alert.id != first.alert.id)
        #expect(try await store.activeAlerts(limit: 10).map(\.id) == [scoped.alert.id, first.alert.id])
        // The ticker filter never matches service-level alerts.
        #expect(try await store.alerts(state: nil, ticker: key.ticker, before: nil, limit: 10) == [scoped.alert])

        // Service levels are per instance: another instance's alert of the kind is its own, and resolving is too.
        let other = try await store.raiseAlert(newAlert(.errorRate, nil, at: 3, instance: "other"))
        #expect(other.isNew && other.alert.id != first.alert.id && other.alert.instrument == nil)
        #expect(try await store.resolveAlert(kind: .errorRate, instrument: nil, instance: "other", at: TestData.instant(4))?.id == other.alert.id)
        let resolved = try #require(try await store.resolveAlert(kind: .errorRate, instrument: nil, instance: "i1", at: TestData.instant(4)))
        #expect(resolved.id == first.alert.id && resolved.state == .resolved && resolved.instrument == nil)
        #expect(try await store.activeAlerts(limit: 10) == [scoped.alert])
        let reraised = try await store.raiseAlert(newAlert(.errorRate, nil, at: 5))
        #expect(reraised.isNew && reraised.alert.id > scoped.alert.id)
    }

    static func concurrentRaisesMakeOneActiveAlert(_ store: any StockCastStore) async throws {
        // 8 raisers of one instrument alert (on 8 instances) and 8 of one instance's service-level alert, all at once (on
        // PostgreSQL over several pooled connections): one alert each, raised new exactly once, every caller gets its id.
        let key = TestData.instrument("RACE")
        let results = try await withThrowingTaskGroup(of: (scoped: Bool, alert: AlertRecord, isNew: Bool).self) { group in
            for raiser in 0..<16 {
                group.addTask {
                    let instrument = raiser % 2 == 0 ? key : nil
                    let raised = try await store.raiseAlert(
                        newAlert(.staleData, instrument, at: Double(raiser), messages: ["raiser \(raiser)"], instance: instrument == nil ? "svc" : "r\(raiser)"))
                    return (instrument != nil, raised.alert, raised.isNew)
                }
            }
            return try await group.reduce(into: [(scoped: Bool, alert: AlertRecord, isNew: Bool)]()) { $0.append($1) }
        }
        for scoped in [true, false] {
            let mine = results.filter { $0.scoped == scoped }
            #expect(mine.count == 8)
            #expect(mine.count(where: \.isNew) == 1, "scoped \(scoped)")
            #expect(Set(mine.map(\.alert.id)).count == 1, "scoped \(scoped)")
        }
        let stored = try await store.alerts(state: nil, ticker: nil, before: nil, limit: 100)
        #expect(stored.count == 2)
        #expect(stored.allSatisfy { $0.state == .active && $0.kind == .staleData })
        #expect(Set(stored.map(\.id)) == Set(results.map(\.alert.id)))
    }

    static func alertsPageByCursorAndFilters(_ store: any StockCastStore) async throws {
        // 24 alerts over three tickers (and service-level ones), half of them resolved.
        let tickers = ["PAGEA", "PAGEB", "PAGEC"]
        var history: [AlertRecord] = []
        for index in 0..<24 {
            let kind = try #require(AlertKind(rawValue: "kind_\(index)"))
            let instrument = index % 4 == 3 ? nil : TestData.instrument(tickers[index % 3])
            history.append(try await store.raiseAlert(newAlert(kind, instrument, at: Double(index))).alert)
            if index % 2 == 1 {
                let resolved = try await store.resolveAlert(kind: kind, instrument: instrument, instance: "i1", at: TestData.instant(100))
                history[index] = try #require(resolved)
            }
        }
        let newestFirst = history.reversed().map { $0 }
        #expect(try await store.activeAlerts(limit: 100) == newestFirst.filter { $0.state == .active })
        #expect(try await store.activeAlerts(limit: 3) == Array(newestFirst.filter { $0.state == .active }.prefix(3)))

        for state in [nil] + AlertState.allCases.map(Optional.some) {
            for ticker in [nil] + tickers.map { TickerSymbol($0)! } {
                let expected = newestFirst.filter {
                    (state == nil || $0.state == state) && (ticker == nil || $0.instrument?.ticker == ticker)
                }
                #expect(!expected.isEmpty)
                var pages: [[AlertRecord]] = []
                var cursor: Int64?
                while pages.count <= 24 {
                    let page = try await store.alerts(state: state, ticker: ticker, before: cursor, limit: 4)
                    #expect(page.count <= 4)
                    guard let last = page.last else { break }
                    pages.append(page)
                    cursor = last.id
                }
                #expect(Array(pages.joined()) == expected, "state \(state?.rawValue ?? "any"), ticker \(ticker?.rawValue ?? "any")")
                #expect(pages.dropLast().allSatisfy { $0.count == 4 })
            }
        }
        // A cursor is an id bound, whatever row it names.
        let middle = newestFirst[10].id
        #expect(try await store.alerts(state: nil, ticker: nil, before: middle, limit: 100) == Array(newestFirst[11...]))
        #expect(try await store.alerts(state: nil, ticker: nil, before: 0, limit: 10).isEmpty)
        #expect(try await store.alerts(state: nil, ticker: nil, before: nil, limit: 0).isEmpty)
    }
}

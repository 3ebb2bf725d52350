import struct Foundation.Date
import Logging
import MarketData
import PredictionCore
import Storage

/// Runs the steps of one ETL run: fetch → validate → upsert raw → clean + indicators → store.
///
/// Every step is recorded (status, attempts, counts, duration, error) before and after it runs; transient errors are
/// retried with `RetryPolicy`. Each step's writes are one transaction in the store, so a run interrupted between steps
/// leaves nothing half-written: the clean step always recomputes from the full stored raw history, so the next run of
/// the instrument repairs whatever a previous interrupted run did not finish.
struct ETLRunExecutor: Sendable {
    let runs: any ETLRunStore
    let prices: any PriceStore
    let providers: any ProviderCatalog
    let retry: RetryPolicy
    let largeMoveThreshold: Double
    /// Sessions fetched again before the last stored one on incremental runs of HTTP sources.
    let overlapSessions: Int
    /// Upper bound of issues stored per run (the counts stay exact beyond it).
    let maxStoredIssues: Int
    let logger: Logger
    /// Returns `true` once the server is shutting down; checked between steps.
    let isStopping: @Sendable () async -> Bool
    /// Called with every step record as it changes (for progress events).
    let onStep: @Sendable (ETLStep) async -> Void
    /// Today's date; rows after it are rejected. Defaults to the UTC date plus one day, so exchanges ahead of UTC
    /// (Asia) are not rejected for their local today.
    let today: @Sendable () -> SessionDate

    /// Executes `run` (already marked running) and returns it finished: `completed` or `failed` with the error.
    func execute(_ run: ETLRun) async -> ETLRun {
        var run = run
        do {
            try await self.perform(&run)
            run.status = .completed
        } catch let error as ProviderError {
            run.status = .failed
            run.error = "\(error.code): \(error.message)"
        } catch let error as StopRequested {
            run.status = .failed
            run.error = error.message
        } catch {
            run.status = .failed
            run.error = "internal error: \(String(describing: error))"
            self.logger.error("ETL run failed", metadata: ["run": "\(run.id)", "error": "\(String(reflecting: error))"])
        }
        run.finishedAt = Date()
        return run
    }

    /// The source of a run that only rebuilds the clean bars from the stored raw history.
    static let rebuildSource = "rebuild"

    private func perform(_ run: inout ETLRun) async throws {
        let instrument = run.instrument
        let calendar = TradingCalendars.calendar(for: instrument.exchange)
        if run.source == Self.rebuildSource { return try await self.cleanAndStore(run, calendar: calendar) }
        let spec = try SourceSpec(parsing: run.source)
        let provider = try self.providers.provider(for: spec)

        // fetch
        let existing = try await self.prices.rawBars(for: instrument)
        var since: SessionDate? = nil
        if case .csv = spec {
            // a file is read whole: it is the full history the user has
        } else if let last = existing.last {
            since = calendar.sessions(before: last.session, count: self.overlapSessions).first ?? last.session
        }
        let request = FetchRequest(instrument: instrument, since: since)
        let (runID, source) = (run.id, run.source)
        let fetched = try await self.step(.fetch, of: run) {
            let series = try await provider.fetch(request)
            return (series, ETLCounts(read: series.rows.count + series.issues.count))
        }
        run.counts.read = fetched.rows.count + fetched.issues.count

        // validate
        let report = try await self.step(.validate, of: run) {
            // Every rejected row is listed, up to the stored-issue bound (counts stay exact beyond it).
            let validator = BarValidator(
                calendar: calendar, today: self.today(), largeMoveThreshold: self.largeMoveThreshold,
                issueLimitPerReason: self.maxStoredIssues
            )
            let storedActions = try await self.prices.corporateActions(for: instrument)
            let report = validator.validate(fetched.rows, existing: existing, actions: storedActions + fetched.actions)
            let issues = fetched.issues + report.issues
            try await self.runs.appendIssues(Array(issues.prefix(self.maxStoredIssues)), toRun: runID)
            let counts = Self.issueCounts(parseIssues: fetched.issues, report: report)
            return (report, ETLCounts(read: fetched.rows.count, rejected: counts.rejected, flagged: counts.flagged))
        }
        (run.counts.rejected, run.counts.flagged) = Self.issueCounts(parseIssues: fetched.issues, report: report)

        // upsert raw
        let rawCounts = try await self.step(.upsertRaw, of: run) {
            let counts = try await self.prices.upsertRawBars(report.accepted, for: instrument, source: source, runID: runID)
            _ = try await self.prices.upsertCorporateActions(fetched.actions, for: instrument)
            return (counts, ETLCounts(read: report.accepted.count, inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged))
        }
        run.counts.inserted = rawCounts.inserted
        run.counts.updated = rawCounts.updated
        run.counts.unchanged = rawCounts.unchanged

        try await self.cleanAndStore(run, calendar: calendar)
    }

    /// The clean and store steps: indicators over the full stored raw history, so values never depend on the
    /// download window, and a run that stopped after its raw upsert is repaired by running only these.
    private func cleanAndStore(_ run: ETLRun, calendar: any TradingCalendar) async throws {
        let instrument = run.instrument
        let cleaned = try await self.step(.clean, of: run) {
            let bars = try await self.prices.rawBars(for: instrument)
            let actions = try await self.prices.corporateActions(for: instrument)
            let history = bars.enumerated().map { NumberedBar(row: $0.offset + 1, bar: $0.element) }
            let flagged = BarValidator(calendar: calendar, today: self.today(), largeMoveThreshold: self.largeMoveThreshold)
                .validate(history, existing: [], actions: actions).flaggedSessions
            let clean = BarCleaner.clean(bars: bars, actions: actions, flagged: flagged)
            return (clean, ETLCounts(read: bars.count))
        }

        // store
        _ = try await self.step(.store, of: run) {
            let counts = try await self.prices.upsertCleanBars(cleaned, for: instrument)
            return (counts, ETLCounts(read: cleaned.count, inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged))
        }
    }

    /// Longest a step waits for an unavailable store to come back before the run fails.
    static let storeOutageBudget: Duration = .seconds(120)

    /// Runs one step with retries on transient errors and records it before, between and after attempts. A store
    /// outage (the step's own writes or its records) is waited out, up to `storeOutageBudget`: steps are idempotent
    /// upserts, so running one again after the database returns stores nothing twice.
    private func step<T: Sendable>(
        _ name: ETLStepName, of run: ETLRun, _ body: @Sendable () async throws -> (T, ETLCounts)
    ) async throws -> T {
        if await self.isStopping() {
            throw StopRequested(message: "interrupted: the server shut down before step \(name.rawValue)")
        }
        let started = ContinuousClock.now
        var record = ETLStep(runID: run.id, name: name, status: .running, startedAt: Date())
        var attempt = 0
        var outageWait = Duration.zero
        while true {
            attempt += 1
            record.attempts = attempt
            do {
                try await self.runs.recordStep(record)
                await self.onStep(record)
                let (value, counts) = try await body()
                record.status = .completed
                record.counts = counts
                record.error = nil
                record.finishedAt = Date()
                record.durationMilliseconds = Self.milliseconds(since: started)
                try await self.runs.recordStep(record)
                await self.onStep(record)
                return value
            } catch let error as ProviderError where error.isTransient && attempt < self.retry.maxAttempts {
                let delay = self.retry.delay(afterAttempt: attempt, retryAfterSeconds: error.retryAfterSeconds)
                record.error = "attempt \(attempt) failed (\(error.code): \(error.message)); retrying in \(delay)"
                self.logger.warning("ETL step retry", metadata: ["run": "\(run.id)", "step": "\(name.rawValue)", "error": "\(error.message)"])
                try await self.runs.recordStep(record)
                try await Task.sleep(for: delay)
                if await self.isStopping() {
                    throw StopRequested(message: "interrupted: the server shut down while step \(name.rawValue) waited to retry")
                }
            } catch let error as StorageError where error.isOutage && outageWait < Self.storeOutageBudget {
                if outageWait == .zero {
                    self.logger.warning("ETL step waits for the database", metadata: ["run": "\(run.id)", "step": "\(name.rawValue)"])
                }
                attempt -= 1
                try await Task.sleep(for: .milliseconds(500))
                outageWait += .milliseconds(500)
                if await self.isStopping() {
                    throw StopRequested(message: "interrupted: the server shut down while step \(name.rawValue) waited for the database")
                }
            } catch {
                record.status = .failed
                record.error = (error as? ProviderError).map { "\($0.code): \($0.message)" } ?? String(describing: error)
                record.finishedAt = Date()
                record.durationMilliseconds = Self.milliseconds(since: started)
                try? await self.runs.recordStep(record)
                await self.onStep(record)
                throw error
            }
        }
    }

    /// Exact rejected and flagged counts, including issues the validator's per-reason limit left out of the report.
    static func issueCounts(parseIssues: [RowIssue], report: ValidationReport) -> (rejected: Int, flagged: Int) {
        let omittedFlags = report.omittedIssueCounts.reduce(0) { $0 + ($1.key.rejectsRow ? 0 : $1.value) }
        let rejected = parseIssues.count + report.rejectedRowCount
        let flagged = report.issues.count { $0.severity == .flagged } + omittedFlags
        return (rejected, flagged)
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// Thrown between steps when the server is shutting down; the run is recorded as failed ("interrupted") and can be retried.
struct StopRequested: Error {
    let message: String
}

import struct Foundation.Date
import PredictionCore

/// Status vocabulary shared with the original API: `pending | running | completed | failed`.
public enum RunStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case pending, running, completed, failed
}

/// The steps of an ETL run, in order.
public enum ETLStepName: String, Hashable, Sendable, Codable, CaseIterable {
    case fetch, validate
    case upsertRaw = "upsert_raw"
    case clean
    case store
}

/// Row counts of a run or a step.
public struct ETLCounts: Hashable, Sendable, Codable {
    /// Rows read from the source.
    public var read: Int = 0
    /// Rows newly written.
    public var inserted: Int = 0
    /// Existing rows whose values changed.
    public var updated: Int = 0
    /// Existing rows received again with identical values (written: nothing).
    public var unchanged: Int = 0
    /// Rows rejected by validation.
    public var rejected: Int = 0
    /// Rows (or gaps) flagged by validation.
    public var flagged: Int = 0

    /// All zero.
    public init() {}

    /// Creates counts.
    public init(read: Int = 0, inserted: Int = 0, updated: Int = 0, unchanged: Int = 0, rejected: Int = 0, flagged: Int = 0) {
        self.read = read
        self.inserted = inserted
        self.updated = updated
        self.unchanged = unchanged
        self.rejected = rejected
        self.flagged = flagged
    }
}

/// What an upsert did: nothing is counted twice, and re-writing identical data is `unchanged`, not `updated`.
public struct UpsertCounts: Hashable, Sendable, Codable {
    public var inserted: Int
    public var updated: Int
    public var unchanged: Int

    public init(inserted: Int = 0, updated: Int = 0, unchanged: Int = 0) {
        self.inserted = inserted
        self.updated = updated
        self.unchanged = unchanged
    }
}

/// How a run was started.
public enum ETLTrigger: String, Hashable, Sendable, Codable {
    /// `POST /api/run-etl` or the CLI.
    case manual
    /// The daily schedule.
    case schedule
    /// A CSV uploaded to `POST /api/datasets/{ticker}/import`.
    case upload
    /// `POST /api/etl/runs/{id}/retry`.
    case retry
    /// First start of an empty store ingesting the bundled sample data.
    case bootstrap
    /// Start-up recovery rebuilding the clean bars of a run that stopped between storing raw bars and clean ones
    /// (source `rebuild`: no fetch, only the clean and store steps).
    case repair
}

/// An ETL run of one instrument.
public struct ETLRun: Hashable, Sendable, Codable {
    public var id: Int64
    public var instrument: InstrumentKey
    /// Source in CLI syntax: `csv:FILE`, `yahoo`, `stooq`, `upload:<file>`.
    public var source: String
    public var trigger: ETLTrigger
    public var status: RunStatus
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var counts: ETLCounts
    /// Why the run failed (safe to show a user).
    public var error: String?
    /// The run this one retries.
    public var retryOf: Int64?
    /// The instance that accepted it and runs it (on a shared database, only it recovers the run after a restart).
    public var owner: String?

    public init(
        id: Int64, instrument: InstrumentKey, source: String, trigger: ETLTrigger, status: RunStatus, createdAt: Date,
        startedAt: Date? = nil, finishedAt: Date? = nil, counts: ETLCounts = .init(), error: String? = nil,
        retryOf: Int64? = nil, owner: String? = nil
    ) {
        self.owner = owner
        self.id = id
        self.instrument = instrument
        self.source = source
        self.trigger = trigger
        self.status = status
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.counts = counts
        self.error = error
        self.retryOf = retryOf
    }
}

/// One step of a run.
public struct ETLStep: Hashable, Sendable, Codable {
    public var runID: Int64
    public var name: ETLStepName
    public var status: RunStatus
    /// Attempts made (retries on transient errors count).
    public var attempts: Int
    public var startedAt: Date?
    public var finishedAt: Date?
    /// Wall time of the step in milliseconds, all attempts included.
    public var durationMilliseconds: Int?
    public var counts: ETLCounts
    public var error: String?

    public init(
        runID: Int64, name: ETLStepName, status: RunStatus, attempts: Int = 0, startedAt: Date? = nil,
        finishedAt: Date? = nil, durationMilliseconds: Int? = nil, counts: ETLCounts = .init(), error: String? = nil
    ) {
        self.runID = runID
        self.name = name
        self.status = status
        self.attempts = attempts
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMilliseconds = durationMilliseconds
        self.counts = counts
        self.error = error
    }
}

/// A run to create (the store assigns id and `createdAt`, status starts `pending`).
public struct NewETLRun: Hashable, Sendable {
    public var instrument: InstrumentKey
    public var source: String
    public var trigger: ETLTrigger
    public var retryOf: Int64?
    /// The instance that accepts it.
    public var owner: String?

    public init(instrument: InstrumentKey, source: String, trigger: ETLTrigger, retryOf: Int64? = nil, owner: String? = nil) {
        self.owner = owner
        self.instrument = instrument
        self.source = source
        self.trigger = trigger
        self.retryOf = retryOf
    }
}

/// Filter for listing runs.
public struct ETLRunFilter: Hashable, Sendable {
    public var instrument: InstrumentKey?
    public var ticker: TickerSymbol?
    public var status: RunStatus?

    public init(instrument: InstrumentKey? = nil, ticker: TickerSymbol? = nil, status: RunStatus? = nil) {
        self.instrument = instrument
        self.ticker = ticker
        self.status = status
    }
}

/// A ticker on the ETL list: the daily schedule runs every tracked ticker.
public struct TrackedTicker: Hashable, Sendable, Codable {
    public var instrument: InstrumentKey
    /// Source in CLI syntax (`yahoo`, `stooq`, `csv:FILE`).
    public var source: String
    public var addedAt: Date

    public init(instrument: InstrumentKey, source: String, addedAt: Date) {
        self.instrument = instrument
        self.source = source
        self.addedAt = addedAt
    }
}

/// One row of `GET /api/datasets`.
public struct DatasetSummary: Hashable, Sendable {
    public var instrument: InstrumentKey
    public var firstSession: SessionDate
    public var lastSession: SessionDate
    /// Number of cleaned bars.
    public var count: Int
    /// Sessions flagged by validation.
    public var flaggedCount: Int
    /// When the series last changed.
    public var lastUpdated: Date
    /// Source of the last run that wrote it.
    public var source: String?

    public init(
        instrument: InstrumentKey, firstSession: SessionDate, lastSession: SessionDate, count: Int, flaggedCount: Int,
        lastUpdated: Date, source: String?
    ) {
        self.instrument = instrument
        self.firstSession = firstSession
        self.lastSession = lastSession
        self.count = count
        self.flaggedCount = flaggedCount
        self.lastUpdated = lastUpdated
        self.source = source
    }
}

/// A stored issue of a run, with its position in the run's report (used as the paging cursor).
public struct StoredRowIssue: Hashable, Sendable {
    public var sequence: Int
    public var issue: RowIssue

    public init(sequence: Int, issue: RowIssue) {
        self.sequence = sequence
        self.issue = issue
    }
}

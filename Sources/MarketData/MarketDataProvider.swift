import PredictionCore

/// What to fetch: one instrument, optionally from a session on (incremental runs fetch a short overlap before the
/// last stored session so that revisions and late splits are picked up).
public struct FetchRequest: Hashable, Sendable {
    /// The instrument.
    public var instrument: InstrumentKey
    /// First session wanted (inclusive); `nil` = the full history the source has.
    public var since: SessionDate?

    /// Creates a request.
    public init(instrument: InstrumentKey, since: SessionDate? = nil) {
        self.instrument = instrument
        self.since = since
    }
}

/// What a provider returned: parsed bars with their row numbers, rows it could not parse (as `unparseable`
/// issues), and dividend/split events.
public struct FetchedSeries: Hashable, Sendable {
    /// Parsed bars in source order (not yet validated: may contain duplicates, holidays, bad prices).
    public var rows: [NumberedBar]
    /// Rows that could not be parsed, one issue each.
    public var issues: [RowIssue]
    /// Dividends and splits the source reported.
    public var actions: [CorporateAction]

    /// Creates a series.
    public init(rows: [NumberedBar] = [], issues: [RowIssue] = [], actions: [CorporateAction] = []) {
        self.rows = rows
        self.issues = issues
        self.actions = actions
    }
}

/// A source of daily bars: a CSV file, the Yahoo Finance chart API, Stooq's CSV download.
public protocol MarketDataProvider: Sendable {
    /// The source in CLI syntax (`csv:/path/file.csv`, `yahoo`, `stooq`), recorded on runs.
    var sourceName: String { get }
    /// Fetches the series. Throws `ProviderError`; `isTransient` errors are retried by the pipeline.
    func fetch(_ request: FetchRequest) async throws -> FetchedSeries
}

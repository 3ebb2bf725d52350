import Foundation
import Hummingbird
import PredictionCore
import Storage

// Wire shapes of the REST API. Field names follow the original API (snake_case, `MA5`, `MACD_signal`, …).

/// One row of `GET /api/datasets` (original fields plus `last_updated`, `source`, `flagged_rows`).
struct DatasetDTO: ResponseCodable {
    let ticker: String
    let exchange: String
    let start_date: String
    let end_date: String
    let count: Int
    let parquet_ready: Bool
    let last_updated: Date
    let source: String?
    let flagged_rows: Int

    init(_ summary: DatasetSummary) {
        self.ticker = summary.instrument.ticker.rawValue
        self.exchange = summary.instrument.exchange.rawValue
        self.start_date = summary.firstSession.description
        self.end_date = summary.lastSession.description
        self.count = summary.count
        self.parquet_ready = summary.count > 0
        self.last_updated = summary.lastUpdated
        self.source = summary.source
        self.flagged_rows = summary.flaggedCount
    }
}

/// One cleaned bar with its indicators.
struct PriceDTO: Encodable {
    let bar: CleanBar

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode(self.bar.session.description, forKey: "date")
        try container.encode(self.bar.bar.open, forKey: "open")
        try container.encode(self.bar.bar.high, forKey: "high")
        try container.encode(self.bar.bar.low, forKey: "low")
        try container.encode(self.bar.bar.close, forKey: "close")
        try container.encode(self.bar.bar.volume, forKey: "volume")
        try container.encode(self.bar.adjustedClose, forKey: "adj_close")
        try container.encode(self.bar.adjustmentFactor, forKey: "adjustment_factor")
        try container.encode(self.bar.flagged, forKey: "flagged")
        for (name, value) in zip(IndicatorSet.apiNames, self.bar.indicators.values) {
            try container.encode(value, forKey: DynamicKey(stringValue: name))
        }
    }
}

/// A page of bars.
struct PricePageDTO: ResponseEncodable {
    let ticker: String
    let exchange: String
    let count: Int
    let next_cursor: String?
    let prices: [PriceDTO]
}

/// Row counts of a run or step.
struct CountsDTO: Codable {
    let read: Int
    let inserted: Int
    let updated: Int
    let unchanged: Int
    let rejected: Int
    let flagged: Int

    init(_ counts: ETLCounts) {
        (self.read, self.inserted, self.updated) = (counts.read, counts.inserted, counts.updated)
        (self.unchanged, self.rejected, self.flagged) = (counts.unchanged, counts.rejected, counts.flagged)
    }
}

/// An ETL run.
struct RunDTO: ResponseCodable {
    let id: Int64
    let ticker: String
    let exchange: String
    let source: String
    let trigger: String
    let status: String
    let created_at: Date
    let started_at: Date?
    let finished_at: Date?
    let duration_ms: Int?
    let counts: CountsDTO
    let error: String?
    let retry_of: Int64?

    init(_ run: ETLRun) {
        self.id = run.id
        self.ticker = run.instrument.ticker.rawValue
        self.exchange = run.instrument.exchange.rawValue
        self.source = run.source
        self.trigger = run.trigger.rawValue
        self.status = run.status.rawValue
        self.created_at = run.createdAt
        self.started_at = run.startedAt
        self.finished_at = run.finishedAt
        self.duration_ms = run.startedAt.flatMap { start in run.finishedAt.map { Int(($0.timeIntervalSince(start) * 1000).rounded()) } }
        self.counts = CountsDTO(run.counts)
        self.error = run.error
        self.retry_of = run.retryOf
    }
}

/// A step of a run.
struct StepDTO: Codable {
    let name: String
    let status: String
    let attempts: Int
    let started_at: Date?
    let finished_at: Date?
    let duration_ms: Int?
    let counts: CountsDTO
    let error: String?

    init(_ step: ETLStep) {
        self.name = step.name.rawValue
        self.status = step.status.rawValue
        self.attempts = step.attempts
        self.started_at = step.startedAt
        self.finished_at = step.finishedAt
        self.duration_ms = step.durationMilliseconds
        self.counts = CountsDTO(step.counts)
        self.error = step.error
    }
}

/// A rejected or flagged row of a run report.
struct IssueDTO: Codable {
    let seq: Int
    let row: Int?
    let date: String?
    let severity: String
    let reason: String
    let detail: String

    init(_ stored: StoredRowIssue) {
        self.seq = stored.sequence
        self.row = stored.issue.row
        self.date = stored.issue.session?.description
        self.severity = stored.issue.severity.rawValue
        self.reason = stored.issue.reason.rawValue
        self.detail = stored.issue.detail
    }
}

/// `GET /api/etl/runs/{id}`: the run, its steps and the first page of its report.
struct RunDetailDTO: ResponseCodable {
    let run: RunDTO
    let steps: [StepDTO]
    let issues: [IssueDTO]
    let issues_next_cursor: Int?
}

/// A page of issues.
struct IssuePageDTO: ResponseCodable {
    let run_id: Int64
    let issues: [IssueDTO]
    let next_cursor: Int?
}

/// A page of runs.
struct RunPageDTO: ResponseCodable {
    let runs: [RunDTO]
    let next_cursor: Int64?
}

/// `POST /api/run-etl` answer.
struct RunSubmissionDTO: ResponseCodable {
    let message: String
    let run_ids: [Int64]
    let runs: [RunDTO]
}

/// A tracked ticker.
struct TrackedTickerDTO: ResponseCodable {
    let ticker: String
    let exchange: String
    let source: String
    let added_at: Date

    init(_ tracked: TrackedTicker) {
        self.ticker = tracked.instrument.ticker.rawValue
        self.exchange = tracked.instrument.exchange.rawValue
        self.source = tracked.source
        self.added_at = tracked.addedAt
    }
}

/// An API key as listed (never the secret).
struct APIKeyDTO: ResponseCodable {
    let id: Int64
    let name: String
    let role: String
    let prefix: String
    let created_at: Date
    let last_used_at: Date?
    let revoked_at: Date?
    let expires_at: Date?
    /// Id of the key a rotation created in this one's place.
    let replaced_by: Int64?
    /// `active`, `expired` or `revoked`.
    let status: String
    /// The secret, present only in the answer to `POST /api/keys` and `POST /api/keys/{id}/rotate`.
    let key: String?

    init(_ record: APIKeyRecord, secret: String? = nil) {
        self.id = record.id
        self.name = record.name
        self.role = record.role.rawValue
        self.prefix = record.prefix
        self.created_at = record.createdAt
        self.last_used_at = record.lastUsedAt
        self.revoked_at = record.revokedAt
        self.expires_at = record.expiresAt
        self.replaced_by = record.replacedBy
        self.status = record.revokedAt != nil ? "revoked" : (record.isActive() ? "active" : "expired")
        self.key = secret
    }
}

/// A short JSON message.
struct MessageDTO: ResponseCodable {
    let message: String
}

/// A coding key made from any string (indicator names such as `MACD_signal`).
struct DynamicKey: CodingKey, ExpressibleByStringLiteral {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    init(stringLiteral value: String) { self.stringValue = value }
}

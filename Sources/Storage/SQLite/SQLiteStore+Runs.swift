import struct Foundation.Date
import PredictionCore
import SQLiteNIO

extension SQLiteStore {
    private static let runColumns = """
        id, ticker, exchange, source, run_trigger, status, created_at, started_at, finished_at, read_count,
        inserted_count, updated_count, unchanged_count, rejected_count, flagged_count, error, retry_of, owner
        """

    /// Run issues; sequence numbers are assigned before inserting, so existing rows are never touched.
    static let issueInsert = SQLiteBulkInsert(
        table: "etl_issues",
        columns: [
            ("run_id", .shared(1)), ("seq", .row), ("source_row", .row), ("session_date", .row), ("severity", .row),
            ("reason", .row), ("detail", .row),
        ],
        key: ["run_id", "seq"], updating: false)

    private static func decodeCounts(_ row: SQLiteRow) throws -> ETLCounts {
        ETLCounts(
            read: try row.int("read_count"), inserted: try row.int("inserted_count"),
            updated: try row.int("updated_count"), unchanged: try row.int("unchanged_count"),
            rejected: try row.int("rejected_count"), flagged: try row.int("flagged_count"))
    }

    private static func countBinds(_ counts: ETLCounts) -> [SQLiteData] {
        [counts.read, counts.inserted, counts.updated, counts.unchanged, counts.rejected, counts.flagged].map {
            .integer($0)
        }
    }

    private static func decodeRun(_ row: SQLiteRow) throws -> ETLRun {
        ETLRun(
            id: try row.int64("id"), instrument: try row.instrument(), source: try row.text("source"),
            trigger: try row.enumValue(ETLTrigger.self, "run_trigger"),
            status: try row.enumValue(RunStatus.self, "status"), createdAt: try row.timestamp("created_at"),
            startedAt: try row.optionalTimestamp("started_at"), finishedAt: try row.optionalTimestamp("finished_at"),
            counts: try self.decodeCounts(row), error: try row.optionalText("error"),
            retryOf: try row.optionalInt64("retry_of"), owner: try row.optionalText("owner"))
    }

    public func createRun(_ run: NewETLRun) async throws -> ETLRun {
        let createdAt = StoredTimestamp.now()
        return try await self.write { session in
            let rows = try await session.query(
                """
                INSERT INTO etl_runs (ticker, exchange, source, run_trigger, status, created_at, retry_of, owner)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id
                """,
                [
                    .text(run.instrument.ticker.rawValue), .text(run.instrument.exchange.rawValue), .text(run.source),
                    .text(run.trigger.rawValue), .text(RunStatus.pending.rawValue), .timestamp(createdAt),
                    run.retryOf.map { .int64($0) } ?? .null, .optionalText(run.owner),
                ])
            guard let id = try rows.first?.int64("id") else {
                throw StorageError(.queryFailed, "creating the run returned no id")
            }
            return ETLRun(
                id: id, instrument: run.instrument, source: run.source, trigger: run.trigger, status: .pending,
                createdAt: createdAt, retryOf: run.retryOf, owner: run.owner)
        }
    }

    public func updateRun(_ run: ETLRun) async throws {
        try await self.write { session in
            let rows = try await session.query(
                """
                UPDATE etl_runs SET status = ?2, started_at = ?3, finished_at = ?4, read_count = ?5,
                    inserted_count = ?6, updated_count = ?7, unchanged_count = ?8, rejected_count = ?9,
                    flagged_count = ?10, error = ?11
                WHERE id = ?1 RETURNING id
                """,
                [.int64(run.id), .text(run.status.rawValue), .timestamp(run.startedAt), .timestamp(run.finishedAt)]
                    + Self.countBinds(run.counts) + [.optionalText(run.error)])
            guard !rows.isEmpty else { throw StorageError(.notFound, "run \(run.id) does not exist") }
        }
    }

    public func recordStep(_ step: ETLStep) async throws {
        try await self.write { session in
            let exists = try await session.query("SELECT 1 FROM etl_runs WHERE id = ?1", [.int64(step.runID)])
            guard !exists.isEmpty else { throw StorageError(.notFound, "run \(step.runID) does not exist") }
            try await session.query(
                """
                INSERT INTO etl_steps (run_id, name, status, attempts, started_at, finished_at, duration_ms,
                    read_count, inserted_count, updated_count, unchanged_count, rejected_count, flagged_count, error)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                ON CONFLICT (run_id, name) DO UPDATE SET status = excluded.status, attempts = excluded.attempts,
                    started_at = excluded.started_at, finished_at = excluded.finished_at,
                    duration_ms = excluded.duration_ms, read_count = excluded.read_count,
                    inserted_count = excluded.inserted_count, updated_count = excluded.updated_count,
                    unchanged_count = excluded.unchanged_count, rejected_count = excluded.rejected_count,
                    flagged_count = excluded.flagged_count, error = excluded.error
                """,
                [
                    .int64(step.runID), .text(step.name.rawValue), .text(step.status.rawValue),
                    .integer(step.attempts), .timestamp(step.startedAt), .timestamp(step.finishedAt),
                    .optionalInt(step.durationMilliseconds),
                ] + Self.countBinds(step.counts) + [.optionalText(step.error)])
        }
    }

    public func run(id: Int64) async throws -> ETLRun? {
        try await self.read { session in
            try await session.query("SELECT \(Self.runColumns) FROM etl_runs WHERE id = ?1", [.int64(id)])
                .first.map(Self.decodeRun)
        }
    }

    public func steps(ofRun id: Int64) async throws -> [ETLStep] {
        let steps = try await self.read { session in
            try await session.query(
                """
                SELECT run_id, name, status, attempts, started_at, finished_at, duration_ms, read_count,
                    inserted_count, updated_count, unchanged_count, rejected_count, flagged_count, error
                FROM etl_steps WHERE run_id = ?1
                """,
                [.int64(id)]
            ).map { row in
                ETLStep(
                    runID: try row.int64("run_id"), name: try row.enumValue(ETLStepName.self, "name"),
                    status: try row.enumValue(RunStatus.self, "status"), attempts: try row.int("attempts"),
                    startedAt: try row.optionalTimestamp("started_at"),
                    finishedAt: try row.optionalTimestamp("finished_at"),
                    durationMilliseconds: try row.optionalInt("duration_ms"), counts: try Self.decodeCounts(row),
                    error: try row.optionalText("error"))
            }
        }
        return steps.sorted { $0.name.pipelineIndex < $1.name.pipelineIndex }
    }

    public func runs(matching filter: ETLRunFilter, before cursor: Int64?, limit: Int) async throws -> [ETLRun] {
        guard limit > 0 else { return [] }
        return try await self.read { session in
            try await session.query(
                """
                SELECT \(Self.runColumns) FROM etl_runs
                WHERE (?1 IS NULL OR ticker = ?1) AND (?2 IS NULL OR exchange = ?2) AND (?3 IS NULL OR ticker = ?3)
                    AND (?4 IS NULL OR status = ?4) AND id < ?5
                ORDER BY id DESC LIMIT ?6
                """,
                [
                    .optionalText(filter.instrument?.ticker.rawValue), .optionalText(filter.instrument?.exchange.rawValue),
                    .optionalText(filter.ticker?.rawValue), .optionalText(filter.status?.rawValue),
                    .int64(cursor ?? Int64.max), .integer(limit),
                ]
            ).map(Self.decodeRun)
        }
    }

    public func appendIssues(_ issues: [RowIssue], toRun id: Int64) async throws {
        guard !issues.isEmpty else { return }
        try await self.write { session in
            let exists = try await session.query("SELECT 1 FROM etl_runs WHERE id = ?1", [.int64(id)])
            guard !exists.isEmpty else { throw StorageError(.notFound, "run \(id) does not exist") }
            let last = try await session.query(
                "SELECT COALESCE(MAX(seq), 0) AS last FROM etl_issues WHERE run_id = ?1", [.int64(id)])
            let first = try (last.first?.int("last") ?? 0) + 1
            try await Self.issueInsert.execute(
                Array(zip(first..., issues)), shared: [.int64(id)], on: session
            ) { numbered, binds in
                let (sequence, issue) = numbered
                binds.append(.integer(sequence))
                binds.append(.optionalInt(issue.row))
                binds.append(.session(issue.session))
                binds.append(.text(issue.severity.rawValue))
                binds.append(.text(issue.reason.rawValue))
                binds.append(.text(issue.detail))
            }
        }
    }

    public func issues(ofRun id: Int64, after cursor: Int?, limit: Int) async throws -> [StoredRowIssue] {
        guard limit > 0 else { return [] }
        return try await self.read { session in
            try await session.query(
                """
                SELECT seq, source_row, session_date, severity, reason, detail FROM etl_issues
                WHERE run_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3
                """,
                [.int64(id), .integer(cursor ?? 0), .integer(limit)]
            ).map { row in
                var issue = RowIssue(
                    row: try row.optionalInt("source_row"), session: try row.optionalSessionDate("session_date"),
                    reason: try row.enumValue(RowIssueReason.self, "reason"), detail: try row.text("detail"))
                issue.severity = try row.enumValue(RowIssue.Severity.self, "severity")
                return StoredRowIssue(sequence: try row.int("seq"), issue: issue)
            }
        }
    }

    public func claimScheduleSlot(_ slot: String, instance: String) async throws -> Bool {
        let claimedAt = StoredTimestamp.now()
        return try await self.write { session in
            let claimed = try await session.query(
                """
                INSERT INTO schedule_claims (slot, instance, claimed_at) VALUES (?1, ?2, ?3)
                ON CONFLICT (slot) DO NOTHING RETURNING slot
                """,
                [.text(slot), .text(instance), .timestamp(claimedAt)])
            return !claimed.isEmpty
        }
    }

    public func recordHeartbeat(instance: String, at: Date) async throws {
        try await self.write { session in
            _ = try await session.query(
                "INSERT INTO instances (id, last_seen) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen",
                [.text(instance), .timestamp(at)])
        }
    }

    public func adoptRuns(instance: String, staleBefore: Date, reason: String) async throws -> (failed: [ETLRun], adopted: [ETLRun]) {
        let now = StoredTimestamp.now()
        return try await self.write { session in
            let stale = "SELECT id FROM instances WHERE last_seen < ?2 AND id <> ?1"
            let failed = try await session.query(
                """
                UPDATE etl_runs SET status = 'failed', error = ?3, finished_at = ?4
                WHERE status = 'running' AND owner IN (\(stale)) RETURNING \(Self.runColumns)
                """, [.text(instance), .timestamp(staleBefore), .text(reason), .timestamp(now)]
            ).map(Self.decodeRun)
            let adopted = try await session.query(
                "UPDATE etl_runs SET owner = ?1 WHERE status = 'pending' AND owner IN (\(stale)) RETURNING \(Self.runColumns)",
                [.text(instance), .timestamp(staleBefore)]
            ).map(Self.decodeRun)
            return AdoptedRuns(failed: failed, adopted: adopted)
        }.pair
    }
}

/// The result of `adoptRuns`, `Sendable` across the write session.
struct AdoptedRuns: Sendable {
    var failed: [ETLRun]
    var adopted: [ETLRun]
    var pair: (failed: [ETLRun], adopted: [ETLRun]) { (self.failed, self.adopted) }
}

extension ETLStepName {
    /// Position in the pipeline (`fetch` = 0), the order `steps(ofRun:)` returns.
    var pipelineIndex: Int { Self.allCases.firstIndex(of: self) ?? Self.allCases.count }
}

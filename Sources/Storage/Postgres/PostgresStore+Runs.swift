import struct Foundation.Date
import PostgresNIO
import PredictionCore

extension PostgresStore {
    private static let runColumns = """
        id, ticker, exchange, source, run_trigger, status, created_at, started_at, finished_at, read_count,
        inserted_count, updated_count, unchanged_count, rejected_count, flagged_count, error, retry_of, owner
        """

    private static func decodeCounts(_ row: PostgresRandomAccessRow) throws -> ETLCounts {
        ETLCounts(
            read: try row.value("read_count", Int.self), inserted: try row.value("inserted_count", Int.self),
            updated: try row.value("updated_count", Int.self), unchanged: try row.value("unchanged_count", Int.self),
            rejected: try row.value("rejected_count", Int.self), flagged: try row.value("flagged_count", Int.self))
    }

    private static func decodeRun(_ row: PostgresRow) throws -> ETLRun {
        let row = row.makeRandomAccess()
        return ETLRun(
            id: try row.value("id", Int64.self), instrument: try row.instrument(),
            source: try row.value("source", String.self), trigger: try row.enumValue(ETLTrigger.self, "run_trigger"),
            status: try row.enumValue(RunStatus.self, "status"), createdAt: try row.value("created_at", Date.self),
            startedAt: try row.value("started_at", Date?.self), finishedAt: try row.value("finished_at", Date?.self),
            counts: try self.decodeCounts(row), error: try row.value("error", String?.self),
            retryOf: try row.value("retry_of", Int64?.self), owner: try row.value("owner", String?.self))
    }

    public func createRun(_ run: NewETLRun) async throws -> ETLRun {
        let rows = try await self.rows(
            """
            INSERT INTO etl_runs (ticker, exchange, source, run_trigger, status, created_at, retry_of, owner)
            VALUES (\(run.instrument.ticker.rawValue), \(run.instrument.exchange.rawValue), \(run.source),
                \(run.trigger.rawValue), \(RunStatus.pending.rawValue), \(StoredTimestamp.now()), \(run.retryOf), \(run.owner))
            RETURNING \(unescaped: Self.runColumns)
            """)
        guard let row = rows.first else { throw StorageError(.queryFailed, "creating the run returned no row") }
        return try Self.decodeRun(row)
    }

    public func updateRun(_ run: ETLRun) async throws {
        let counts = run.counts
        let rows = try await self.rows(
            """
            UPDATE etl_runs SET status = \(run.status.rawValue), started_at = \(run.startedAt),
                finished_at = \(run.finishedAt), read_count = \(counts.read), inserted_count = \(counts.inserted),
                updated_count = \(counts.updated), unchanged_count = \(counts.unchanged),
                rejected_count = \(counts.rejected), flagged_count = \(counts.flagged), error = \(run.error)
            WHERE id = \(run.id) RETURNING id
            """)
        guard !rows.isEmpty else { throw StorageError(.notFound, "run \(run.id) does not exist") }
    }

    public func recordStep(_ step: ETLStep) async throws {
        let counts = step.counts
        try await self.transaction { connection in
            let exists = try await self.rows("SELECT 1 FROM etl_runs WHERE id = \(step.runID)", on: connection)
            guard !exists.isEmpty else { throw StorageError(.notFound, "run \(step.runID) does not exist") }
            try await self.rows(
                """
                INSERT INTO etl_steps (run_id, name, status, attempts, started_at, finished_at, duration_ms,
                    read_count, inserted_count, updated_count, unchanged_count, rejected_count, flagged_count, error)
                VALUES (\(step.runID), \(step.name.rawValue), \(step.status.rawValue), \(step.attempts),
                    \(step.startedAt), \(step.finishedAt), \(step.durationMilliseconds), \(counts.read),
                    \(counts.inserted), \(counts.updated), \(counts.unchanged), \(counts.rejected), \(counts.flagged),
                    \(step.error))
                ON CONFLICT (run_id, name) DO UPDATE SET status = EXCLUDED.status, attempts = EXCLUDED.attempts,
                    started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at,
                    duration_ms = EXCLUDED.duration_ms, read_count = EXCLUDED.read_count,
                    inserted_count = EXCLUDED.inserted_count, updated_count = EXCLUDED.updated_count,
                    unchanged_count = EXCLUDED.unchanged_count, rejected_count = EXCLUDED.rejected_count,
                    flagged_count = EXCLUDED.flagged_count, error = EXCLUDED.error
                """, on: connection)
        }
    }

    public func run(id: Int64) async throws -> ETLRun? {
        try await self.rows("SELECT \(unescaped: Self.runColumns) FROM etl_runs WHERE id = \(id)")
            .first.map(Self.decodeRun)
    }

    public func steps(ofRun id: Int64) async throws -> [ETLStep] {
        let steps = try await self.rows(
            """
            SELECT run_id, name, status, attempts, started_at, finished_at, duration_ms, read_count, inserted_count,
                updated_count, unchanged_count, rejected_count, flagged_count, error
            FROM etl_steps WHERE run_id = \(id)
            """
        ).map { row in
            let row = row.makeRandomAccess()
            return ETLStep(
                runID: try row.value("run_id", Int64.self), name: try row.enumValue(ETLStepName.self, "name"),
                status: try row.enumValue(RunStatus.self, "status"), attempts: try row.value("attempts", Int.self),
                startedAt: try row.value("started_at", Date?.self), finishedAt: try row.value("finished_at", Date?.self),
                durationMilliseconds: try row.value("duration_ms", Int?.self), counts: try Self.decodeCounts(row),
                error: try row.value("error", String?.self))
        }
        return steps.sorted { $0.name.pipelineIndex < $1.name.pipelineIndex }
    }

    public func runs(matching filter: ETLRunFilter, before cursor: Int64?, limit: Int) async throws -> [ETLRun] {
        guard limit > 0 else { return [] }
        let instrumentTicker = filter.instrument?.ticker.rawValue
        let instrumentExchange = filter.instrument?.exchange.rawValue
        let ticker = filter.ticker?.rawValue
        let status = filter.status?.rawValue
        return try await self.rows(
            """
            SELECT \(unescaped: Self.runColumns) FROM etl_runs
            WHERE (\(instrumentTicker)::text IS NULL OR ticker = \(instrumentTicker))
                AND (\(instrumentExchange)::text IS NULL OR exchange = \(instrumentExchange))
                AND (\(ticker)::text IS NULL OR ticker = \(ticker))
                AND (\(status)::text IS NULL OR status = \(status))
                AND id < \(cursor ?? Int64.max)
            ORDER BY id DESC LIMIT \(limit)
            """
        ).map(Self.decodeRun)
    }

    public func appendIssues(_ issues: [RowIssue], toRun id: Int64) async throws {
        guard !issues.isEmpty else { return }
        try await self.transaction { connection in
            // Locking the run row serialises concurrent appends to the same report.
            let run = try await self.rows("SELECT id FROM etl_runs WHERE id = \(id) FOR UPDATE", on: connection)
            guard !run.isEmpty else { throw StorageError(.notFound, "run \(id) does not exist") }
            let last = try await self.rows(
                "SELECT COALESCE(MAX(seq), 0) AS last FROM etl_issues WHERE run_id = \(id)", on: connection)
            var next = try last.first?.makeRandomAccess().value("last", Int64.self) ?? 0
            for chunk in issues.chunks(of: Self.rowsPerStatement) {
                let first = next + 1
                next += Int64(chunk.count)
                try await self.rows(
                    """
                    INSERT INTO etl_issues (run_id, seq, source_row, session_date, severity, reason, detail)
                    SELECT \(id), t.seq, t.source_row, DATE '1970-01-01' + t.day, t.severity, t.reason, t.detail
                    FROM unnest(\(Array(first...next))::int8[],
                        \(PostgresNullableArray(chunk.map { $0.row.map(Int64.init) }))::int8[],
                        \(PostgresNullableArray(chunk.map { $0.session?.dayNumber }))::int4[],
                        \(chunk.map(\.severity.rawValue))::text[], \(chunk.map(\.reason.rawValue))::text[],
                        \(chunk.map(\.detail))::text[]) AS t(seq, source_row, day, severity, reason, detail)
                    """, on: connection)
            }
        }
    }

    public func issues(ofRun id: Int64, after cursor: Int?, limit: Int) async throws -> [StoredRowIssue] {
        guard limit > 0 else { return [] }
        return try await self.rows(
            """
            SELECT seq, source_row, (session_date - DATE '1970-01-01') AS day, severity, reason, detail
            FROM etl_issues WHERE run_id = \(id) AND seq > \(Int64(cursor ?? 0)) ORDER BY seq LIMIT \(limit)
            """
        ).map { row in
            let row = row.makeRandomAccess()
            var issue = RowIssue(
                row: try row.value("source_row", Int?.self), session: try row.optionalSession("day"),
                reason: try row.enumValue(RowIssueReason.self, "reason"), detail: try row.value("detail", String.self))
            issue.severity = try row.enumValue(RowIssue.Severity.self, "severity")
            return StoredRowIssue(sequence: try row.value("seq", Int.self), issue: issue)
        }
    }

    public func claimScheduleSlot(_ slot: String, instance: String) async throws -> Bool {
        let rows = try await self.rows(
            """
            INSERT INTO schedule_claims (slot, instance, claimed_at) VALUES (\(slot), \(instance), now())
            ON CONFLICT (slot) DO NOTHING RETURNING slot
            """)
        return !rows.isEmpty
    }

    public func recordHeartbeat(instance: String, at: Date) async throws {
        try await self.rows(
            """
            INSERT INTO instances (id, last_seen) VALUES (\(instance), \(PostgresTimestamp(at)))
            ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen
            """)
    }

    public func adoptRuns(instance: String, staleBefore: Date, reason: String) async throws -> (failed: [ETLRun], adopted: [ETLRun]) {
        // Under READ COMMITTED a concurrent adopter that updated a row first changed its owner to a live instance, so
        // the re-checked condition skips it here: each run is adopted once.
        try await self.transaction { connection in
            let failed = try await self.rows(
                """
                UPDATE etl_runs SET status = 'failed', error = \(reason), finished_at = now()
                WHERE status = 'running' AND owner IN (
                    SELECT id FROM instances WHERE last_seen < \(PostgresTimestamp(staleBefore)) AND id <> \(instance))
                RETURNING \(unescaped: Self.runColumns)
                """, on: connection
            ).map(Self.decodeRun)
            let adopted = try await self.rows(
                """
                UPDATE etl_runs SET owner = \(instance)
                WHERE status = 'pending' AND owner IN (
                    SELECT id FROM instances WHERE last_seen < \(PostgresTimestamp(staleBefore)) AND id <> \(instance))
                RETURNING \(unescaped: Self.runColumns)
                """, on: connection
            ).map(Self.decodeRun)
            return AdoptedRuns(failed: failed, adopted: adopted)
        }.pair
    }
}

import PredictionCore
import struct Foundation.Date
import PostgresNIO

extension PostgresStore {
    private static let taskColumns = """
        id, kind, state, progress, message, payload_json, result_json, error, model_id, created_at, started_at,
        finished_at, owner, lease_expires_at, attempt, cancel_requested
        """

    private static func decodeTask(_ row: PostgresRow) throws -> TaskRecord {
        let row = row.makeRandomAccess()
        return TaskRecord(
            id: try row.value("id", String.self), kind: try row.enumValue(TaskKind.self, "kind"),
            state: try row.enumValue(TaskState.self, "state"), progress: try row.value("progress", Double.self),
            message: try row.value("message", String.self), payloadJSON: try row.value("payload_json", String.self),
            resultJSON: try row.value("result_json", String?.self), error: try row.value("error", String?.self),
            modelID: try row.value("model_id", Int64?.self), createdAt: try row.timestamp("created_at"),
            startedAt: try row.optionalTimestamp("started_at"), finishedAt: try row.optionalTimestamp("finished_at"),
            owner: try row.value("owner", String?.self), leaseExpiresAt: try row.optionalTimestamp("lease_expires_at"),
            attempt: Int(try row.value("attempt", Int32.self)), cancelRequested: try row.value("cancel_requested", Bool.self))
    }

    public func createTask(_ task: TaskRecord) async throws {
        let progress = try task.progress.storedRequired("progress")
        try await self.rows(
            """
            INSERT INTO tasks (id, kind, state, progress, message, payload_json, result_json, error, model_id,
                created_at, started_at, finished_at, owner, lease_expires_at, attempt)
            VALUES (\(task.id), \(task.kind.rawValue), \(task.state.rawValue), \(progress), \(task.message),
                \(task.payloadJSON), \(task.resultJSON), \(task.error), \(task.modelID),
                \(PostgresTimestamp(task.createdAt)), \(PostgresTimestamp.optional(task.startedAt)),
                \(PostgresTimestamp.optional(task.finishedAt)), \(task.owner), \(PostgresTimestamp.optional(task.leaseExpiresAt)),
                \(Int32(task.attempt)))
            """)
    }

    public func updateTask(_ task: TaskRecord) async throws {
        let progress = try task.progress.storedRequired("progress")
        let rows = try await self.rows(
            """
            UPDATE tasks SET state = \(task.state.rawValue), progress = \(progress), message = \(task.message),
                result_json = \(task.resultJSON), error = \(task.error), started_at = \(PostgresTimestamp.optional(task.startedAt)),
                finished_at = \(PostgresTimestamp.optional(task.finishedAt))
            WHERE id = \(task.id) AND attempt = \(Int32(task.attempt)) RETURNING id
            """)
        guard rows.isEmpty else { return }
        guard let stored = try await self.rows("SELECT attempt FROM tasks WHERE id = \(task.id)").first else {
            throw StorageError(.notFound, "task \(task.id) does not exist")
        }
        let attempt = try stored.makeRandomAccess().value("attempt", Int32.self)
        throw StorageError(.superseded, "task \(task.id) is at attempt \(attempt), not \(task.attempt): another instance claimed it")
    }

    public func claimTask(instance: String, now: Date, leaseUntil: Date, maxAttempts: Int) async throws -> TaskRecord? {
        // SKIP LOCKED: concurrent claimers each lock a different candidate row, so no task is claimed twice and no
        // claimer waits behind another.
        try await self.rows(
            """
            UPDATE tasks SET state = 'running', owner = \(instance), lease_expires_at = \(PostgresTimestamp(leaseUntil)),
                attempt = attempt + 1, started_at = \(PostgresTimestamp(now)), progress = 0, message = 'started'
            WHERE id = (
                SELECT id FROM tasks
                WHERE state = 'pending'
                    OR (state = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < \(PostgresTimestamp(now)))
                        AND attempt < \(Int32(maxAttempts)))
                ORDER BY created_at, id LIMIT 1
                FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: Self.taskColumns)
            """
        ).first.map(Self.decodeTask)
    }

    public func failAbandonedTasks(now: Date, maxAttempts: Int, reason: String) async throws -> [TaskRecord] {
        try await self.rows(
            """
            UPDATE tasks SET state = 'failed', message = 'failed', error = \(reason), finished_at = \(PostgresTimestamp(now))
            WHERE state = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < \(PostgresTimestamp(now)))
                AND attempt >= \(Int32(maxAttempts))
            RETURNING \(unescaped: Self.taskColumns)
            """
        ).map(Self.decodeTask)
    }

    public func renewTaskLease(id: String, instance: String, attempt: Int, until: Date) async throws -> Bool? {
        try await self.rows(
            """
            UPDATE tasks SET lease_expires_at = \(PostgresTimestamp(until))
            WHERE id = \(id) AND owner = \(instance) AND attempt = \(Int32(attempt)) AND state = 'running'
            RETURNING cancel_requested
            """
        ).first.map { try $0.makeRandomAccess().value("cancel_requested", Bool.self) }
    }

    public func requestTaskCancel(id: String) async throws -> Bool {
        !(try await self.rows("UPDATE tasks SET cancel_requested = true WHERE id = \(id) AND state = 'running' RETURNING id").isEmpty)
    }

    public func deleteFinishedTask(id: String) async throws -> Bool {
        let rows = try await self.rows(
            "DELETE FROM tasks WHERE id = \(id) AND state IN ('completed', 'failed', 'cancelled') RETURNING id")
        return !rows.isEmpty
    }

    public func task(id: String) async throws -> TaskRecord? {
        try await self.rows("SELECT \(unescaped: Self.taskColumns) FROM tasks WHERE id = \(id)").first.map(Self.decodeTask)
    }

    public func taskCount(state: TaskState) async throws -> Int {
        let rows = try await self.rows("SELECT count(*) AS n FROM tasks WHERE state = \(state.rawValue)")
        return try rows.first.map { try Int($0.makeRandomAccess().value("n", Int64.self)) } ?? 0
    }

    public func tasks(state: TaskState?, kind: TaskKind?, before cursor: String?, limit: Int) async throws -> [TaskRecord] {
        guard limit > 0 else { return [] }
        if let cursor {
            let exists = try await self.rows("SELECT 1 FROM tasks WHERE id = \(cursor)")
            guard !exists.isEmpty else { throw StorageError(.notFound, "cursor task \(cursor) does not exist") }
        }
        // Unnamed statements are planned with their parameter values, so `$1 IS NULL OR state = $1` folds to a
        // plain equality (or to nothing) and the (state | kind, created_at, id) indexes apply. The cursor position is
        // read inside the statement, so the stored timestamp is compared exactly, never a decoded copy.
        let state = state?.rawValue
        let kind = kind?.rawValue
        return try await self.rows(
            """
            SELECT \(unescaped: Self.taskColumns) FROM tasks
            WHERE (\(state)::text IS NULL OR state = \(state)) AND (\(kind)::text IS NULL OR kind = \(kind))
                AND (\(cursor)::text IS NULL OR (created_at, id) < (SELECT created_at, id FROM tasks WHERE id = \(cursor)))
            ORDER BY created_at DESC, id DESC LIMIT \(limit)
            """
        ).map(Self.decodeTask)
    }
}

import PredictionCore
import struct Foundation.Date
import SQLiteNIO

extension SQLiteStore {
    private static let taskColumns = """
        id, kind, state, progress, message, payload_json, result_json, error, model_id, created_at, started_at,
        finished_at, owner, lease_expires_at, attempt, cancel_requested
        """

    private static func decodeTask(_ row: SQLiteRow) throws -> TaskRecord {
        TaskRecord(
            id: try row.text("id"), kind: try row.enumValue(TaskKind.self, "kind"),
            state: try row.enumValue(TaskState.self, "state"), progress: try row.double("progress"),
            message: try row.text("message"), payloadJSON: try row.text("payload_json"),
            resultJSON: try row.optionalText("result_json"), error: try row.optionalText("error"),
            modelID: try row.optionalInt64("model_id"), createdAt: try row.timestamp("created_at"),
            startedAt: try row.optionalTimestamp("started_at"), finishedAt: try row.optionalTimestamp("finished_at"),
            owner: try row.optionalText("owner"), leaseExpiresAt: try row.optionalTimestamp("lease_expires_at"), attempt: try row.int("attempt"),
            cancelRequested: try row.bool("cancel_requested"))
    }

    public func createTask(_ task: TaskRecord) async throws {
        let progress = try task.progress.storedRequired("progress")
        try await self.write { session in
            try await session.query(
                """
                INSERT INTO tasks (id, kind, state, progress, message, payload_json, result_json, error, model_id,
                    created_at, started_at, finished_at, owner, lease_expires_at, attempt)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                """,
                [
                    .text(task.id), .text(task.kind.rawValue), .text(task.state.rawValue), .float(progress),
                    .text(task.message), .text(task.payloadJSON), .optionalText(task.resultJSON),
                    .optionalText(task.error), task.modelID.map { .int64($0) } ?? .null, .timestamp(task.createdAt),
                    .timestamp(task.startedAt), .timestamp(task.finishedAt), .optionalText(task.owner), .timestamp(task.leaseExpiresAt),
                    .integer(task.attempt),
                ])
        }
    }

    public func updateTask(_ task: TaskRecord) async throws {
        let progress = try task.progress.storedRequired("progress")
        try await self.write { session in
            let rows = try await session.query(
                """
                UPDATE tasks SET state = ?2, progress = ?3, message = ?4, result_json = ?5, error = ?6,
                    started_at = ?7, finished_at = ?8
                WHERE id = ?1 AND attempt = ?9 RETURNING id
                """,
                [
                    .text(task.id), .text(task.state.rawValue), .float(progress), .text(task.message),
                    .optionalText(task.resultJSON), .optionalText(task.error), .timestamp(task.startedAt),
                    .timestamp(task.finishedAt), .integer(task.attempt),
                ])
            guard rows.isEmpty else { return }
            let stored = try await session.query("SELECT attempt FROM tasks WHERE id = ?1", [.text(task.id)])
            guard let attempt = try stored.first?.int("attempt") else { throw StorageError(.notFound, "task \(task.id) does not exist") }
            throw StorageError(.superseded, "task \(task.id) is at attempt \(attempt), not \(task.attempt): another instance claimed it")
        }
    }

    public func claimTask(instance: String, now: Date, leaseUntil: Date, maxAttempts: Int) async throws -> TaskRecord? {
        try await self.write { session in
            try await session.query(
                """
                UPDATE tasks SET state = 'running', owner = ?1, lease_expires_at = ?2, attempt = attempt + 1, started_at = ?3,
                    progress = 0, message = 'started'
                WHERE id = (
                    SELECT id FROM tasks
                    WHERE state = 'pending'
                        OR (state = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < ?3) AND attempt < ?4)
                    ORDER BY created_at, id LIMIT 1)
                RETURNING \(Self.taskColumns)
                """,
                [.text(instance), .timestamp(leaseUntil), .timestamp(now), .integer(maxAttempts)]
            ).first.map(Self.decodeTask)
        }
    }

    public func failAbandonedTasks(now: Date, maxAttempts: Int, reason: String) async throws -> [TaskRecord] {
        try await self.write { session in
            try await session.query(
                """
                UPDATE tasks SET state = 'failed', message = 'failed', error = ?3, finished_at = ?1
                WHERE state = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < ?1) AND attempt >= ?2
                RETURNING \(Self.taskColumns)
                """,
                [.timestamp(now), .integer(maxAttempts), .text(reason)]
            ).map(Self.decodeTask)
        }
    }

    public func renewTaskLease(id: String, instance: String, attempt: Int, until: Date) async throws -> Bool? {
        try await self.write { session in
            try await session.query(
                """
                UPDATE tasks SET lease_expires_at = ?4
                WHERE id = ?1 AND owner = ?2 AND attempt = ?3 AND state = 'running' RETURNING cancel_requested
                """,
                [.text(id), .text(instance), .integer(attempt), .timestamp(until)]
            ).first.map { try $0.bool("cancel_requested") }
        }
    }

    public func requestTaskCancel(id: String) async throws -> Bool {
        try await self.write { session in
            !(try await session.query(
                "UPDATE tasks SET cancel_requested = 1 WHERE id = ?1 AND state = 'running' RETURNING id", [.text(id)]
            ).isEmpty)
        }
    }

    public func deleteFinishedTask(id: String) async throws -> Bool {
        try await self.write { session in
            let rows = try await session.query(
                "DELETE FROM tasks WHERE id = ?1 AND state IN ('completed', 'failed', 'cancelled') RETURNING id", [.text(id)])
            return !rows.isEmpty
        }
    }

    public func task(id: String) async throws -> TaskRecord? {
        try await self.read { session in
            try await session.query("SELECT \(Self.taskColumns) FROM tasks WHERE id = ?1", [.text(id)])
                .first.map(Self.decodeTask)
        }
    }

    public func taskCount(state: TaskState) async throws -> Int {
        try await self.read { session in
            let rows = try await session.query("SELECT count(*) AS n FROM tasks WHERE state = ?1", [.text(state.rawValue)])
            return try rows.first.map { try $0.int("n") } ?? 0
        }
    }

    public func tasks(state: TaskState?, kind: TaskKind?, before cursor: String?, limit: Int) async throws -> [TaskRecord] {
        guard limit > 0 else { return [] }
        // The WHERE clause is assembled from fixed fragments so each filter is a plain equality the planner can
        // match to an index (state, created_at, id) / (kind, created_at, id); every value is bound.
        var conditions: [String] = []
        var binds: [SQLiteData] = []
        func bind(_ value: SQLiteData) -> String {
            binds.append(value)
            return "?\(binds.count)"
        }
        if let state { conditions.append("state = \(bind(.text(state.rawValue)))") }
        if let kind { conditions.append("kind = \(bind(.text(kind.rawValue)))") }
        if let cursor {
            conditions.append("(created_at, id) < (SELECT created_at, id FROM tasks WHERE id = \(bind(.text(cursor))))")
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            SELECT \(Self.taskColumns) FROM tasks \(filter)
            ORDER BY created_at DESC, id DESC LIMIT \(bind(.integer(limit)))
            """
        let values = binds
        return try await self.read { session in
            if let cursor {
                let exists = try await session.query("SELECT 1 FROM tasks WHERE id = ?1", [.text(cursor)])
                guard !exists.isEmpty else { throw StorageError(.notFound, "cursor task \(cursor) does not exist") }
            }
            return try await session.query(sql, values).map(Self.decodeTask)
        }
    }
}

import PredictionCore
import struct Foundation.Date
import SQLiteNIO

extension SQLiteStore {
    private static let taskColumns = """
        id, kind, state, progress, message, payload_json, result_json, error, model_id, created_at, started_at,
        finished_at
        """

    private static func decodeTask(_ row: SQLiteRow) throws -> TaskRecord {
        TaskRecord(
            id: try row.text("id"), kind: try row.enumValue(TaskKind.self, "kind"),
            state: try row.enumValue(TaskState.self, "state"), progress: try row.double("progress"),
            message: try row.text("message"), payloadJSON: try row.text("payload_json"),
            resultJSON: try row.optionalText("result_json"), error: try row.optionalText("error"),
            modelID: try row.optionalInt64("model_id"), createdAt: try row.timestamp("created_at"),
            startedAt: try row.optionalTimestamp("started_at"), finishedAt: try row.optionalTimestamp("finished_at"))
    }

    public func createTask(_ task: TaskRecord) async throws {
        let progress = try task.progress.storedRequired("progress")
        try await self.write { session in
            try await session.query(
                """
                INSERT INTO tasks (id, kind, state, progress, message, payload_json, result_json, error, model_id,
                    created_at, started_at, finished_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                """,
                [
                    .text(task.id), .text(task.kind.rawValue), .text(task.state.rawValue), .float(progress),
                    .text(task.message), .text(task.payloadJSON), .optionalText(task.resultJSON),
                    .optionalText(task.error), task.modelID.map { .int64($0) } ?? .null, .timestamp(task.createdAt),
                    .timestamp(task.startedAt), .timestamp(task.finishedAt),
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
                WHERE id = ?1 RETURNING id
                """,
                [
                    .text(task.id), .text(task.state.rawValue), .float(progress), .text(task.message),
                    .optionalText(task.resultJSON), .optionalText(task.error), .timestamp(task.startedAt),
                    .timestamp(task.finishedAt),
                ])
            guard !rows.isEmpty else { throw StorageError(.notFound, "task \(task.id) does not exist") }
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

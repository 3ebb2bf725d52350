import PredictionCore
import struct Foundation.Date
import PostgresNIO

extension PostgresStore {
    private static let taskColumns = """
        id, kind, state, progress, message, payload_json, result_json, error, model_id, created_at, started_at,
        finished_at
        """

    private static func decodeTask(_ row: PostgresRow) throws -> TaskRecord {
        let row = row.makeRandomAccess()
        return TaskRecord(
            id: try row.value("id", String.self), kind: try row.enumValue(TaskKind.self, "kind"),
            state: try row.enumValue(TaskState.self, "state"), progress: try row.value("progress", Double.self),
            message: try row.value("message", String.self), payloadJSON: try row.value("payload_json", String.self),
            resultJSON: try row.value("result_json", String?.self), error: try row.value("error", String?.self),
            modelID: try row.value("model_id", Int64?.self), createdAt: try row.timestamp("created_at"),
            startedAt: try row.optionalTimestamp("started_at"), finishedAt: try row.optionalTimestamp("finished_at"))
    }

    public func createTask(_ task: TaskRecord) async throws {
        let progress = try task.progress.storedRequired("progress")
        try await self.rows(
            """
            INSERT INTO tasks (id, kind, state, progress, message, payload_json, result_json, error, model_id,
                created_at, started_at, finished_at)
            VALUES (\(task.id), \(task.kind.rawValue), \(task.state.rawValue), \(progress), \(task.message),
                \(task.payloadJSON), \(task.resultJSON), \(task.error), \(task.modelID),
                \(PostgresTimestamp(task.createdAt)), \(PostgresTimestamp.optional(task.startedAt)),
                \(PostgresTimestamp.optional(task.finishedAt)))
            """)
    }

    public func updateTask(_ task: TaskRecord) async throws {
        let progress = try task.progress.storedRequired("progress")
        let rows = try await self.rows(
            """
            UPDATE tasks SET state = \(task.state.rawValue), progress = \(progress), message = \(task.message),
                result_json = \(task.resultJSON), error = \(task.error), started_at = \(PostgresTimestamp.optional(task.startedAt)),
                finished_at = \(PostgresTimestamp.optional(task.finishedAt))
            WHERE id = \(task.id) RETURNING id
            """)
        guard !rows.isEmpty else { throw StorageError(.notFound, "task \(task.id) does not exist") }
    }

    public func deleteFinishedTask(id: String) async throws -> Bool {
        let rows = try await self.rows(
            "DELETE FROM tasks WHERE id = \(id) AND state IN ('completed', 'failed', 'cancelled') RETURNING id")
        return !rows.isEmpty
    }

    public func task(id: String) async throws -> TaskRecord? {
        try await self.rows("SELECT \(unescaped: Self.taskColumns) FROM tasks WHERE id = \(id)").first.map(Self.decodeTask)
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

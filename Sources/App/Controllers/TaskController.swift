import Actors
import Foundation
import Hummingbird
import PredictionCore
import Storage

/// Training tasks (`/api/train`) and the task list (`/api/tasks`, the Flower replacement).
struct TaskController {
    let supervisor: TrainingSupervisor
    let configuration: AppConfiguration

    func addReadRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/api/train/status/{id}", use: self.status)
        group.get("/api/tasks", use: self.list)
        group.get("/api/tasks/{id}", use: self.status)
    }

    func addWriteRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("/api/train", use: self.train)
        group.delete("/api/train/{id}", use: self.cancel)
        group.post("/api/tasks/{id}/cancel", use: self.cancel)
        group.delete("/api/tasks/{id}", use: self.delete)
    }

    struct TrainRequest: Decodable {
        let model_id: Int64
    }

    struct Submitted: ResponseEncodable {
        let task_id: String
        let status: String
    }

    @Sendable func train(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Submitted> {
        let body = try await RequestInput.decodeJSON(TrainRequest.self, from: request, maxBytes: 16 * 1024)
        let task = try await self.supervisor.submitTraining(modelID: body.model_id)
        return EditedResponse(
            status: .accepted, headers: [.location: "/api/train/status/\(task.id)"], response: Submitted(task_id: task.id, status: "submitted")
        )
    }

    @Sendable func status(_ request: Request, context: AppRequestContext) async throws -> TaskDTO {
        TaskDTO(try await self.supervisor.task(try Self.taskID(context)))
    }

    /// Cancels a task: 200 with the cancelled task when it had not started, 202 with it still `running` when the
    /// work stops at its next boosting round.
    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<TaskDTO> {
        let task = try await self.supervisor.cancel(try Self.taskID(context))
        return EditedResponse(status: task.state.isFinal ? .ok : .accepted, response: TaskDTO(task))
    }

    /// `DELETE /api/tasks/{id}`: removes a finished task's record (409 for a pending or running one).
    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> MessageDTO {
        let id = try Self.taskID(context)
        try await self.supervisor.delete(id)
        return MessageDTO(message: "task \(id) deleted")
    }

    struct TaskPage: ResponseEncodable {
        let tasks: [TaskDTO]
        let next_cursor: String?
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> TaskPage {
        let limit = try RequestInput.limit(request, default: 50, max: 500)
        let state = try RequestInput.query(request, "state").map { text in
            guard let state = TaskState(rawValue: text) else {
                throw APIError.badRequest("state must be one of \(TaskState.allCases.map(\.rawValue).joined(separator: ", "))", code: "invalid_state")
            }
            return state
        }
        let kind = try RequestInput.query(request, "kind").map { text in
            guard let kind = TaskKind(rawValue: text) else {
                throw APIError.badRequest("kind must be one of \(TaskKind.allCases.map(\.rawValue).joined(separator: ", "))", code: "invalid_kind")
            }
            return kind
        }
        let cursor = try RequestInput.query(request, "cursor").map { try Self.validTaskID($0) }
        let tasks: [TaskRecord]
        do {
            tasks = try await self.supervisor.tasks(state: state, kind: kind, before: cursor, limit: limit + 1)
        } catch let error as StorageError where error.code == .notFound {
            throw APIError.notFound("the cursor names no task (it was deleted?): start again without cursor", code: "task_not_found")
        }
        let page = Array(tasks.prefix(limit))
        return TaskPage(tasks: page.map { TaskDTO($0, includeResult: false) }, next_cursor: tasks.count > limit ? page.last?.id : nil)
    }

    static func taskID(_ context: AppRequestContext) throws -> String {
        try self.validTaskID(context.parameters.get("id") ?? "")
    }

    static func validTaskID(_ text: String) throws -> String {
        guard UUID(uuidString: text) != nil else {
            throw APIError.notFound("no task with id \(text.prefix(64))", code: "task_not_found")
        }
        return text.lowercased()
    }
}


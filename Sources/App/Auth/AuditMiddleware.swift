import Foundation
import Hummingbird
import Logging
import Storage

/// Appends every change made through the routes of its group (a request other than GET/HEAD/OPTIONS, answered with
/// a status below 400) to the audit log: the key that made it, the route pattern, the path, the status and the
/// client address (`GET /api/audit`). Runs after `AuthMiddleware`, so the key is known. Writing the event is best
/// effort once the change is made: a failure is logged, not turned into an error for a change that happened.
struct AuditMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let store: any AuditStore
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        guard ![.get, .head, .options].contains(request.method), response.status.code < 400, let key = context.apiKey else { return response }
        let event = AuditEvent(
            id: 0, at: .now, keyID: key.id, actor: "\(key.name) (\(key.prefix)…)", role: key.role,
            action: "\(request.method) \(context.endpointPath ?? request.uri.path)", target: request.uri.path, status: Int(response.status.code),
            address: context.remoteAddress?.ipAddress ?? "unknown")
        do {
            try await self.store.appendAuditEvent(event)
        } catch {
            self.logger.error("audit event could not be stored", metadata: ["action": "\(event.action)", "target": "\(event.target)", "error": "\(error)"])
        }
        return response
    }
}
